"""The default checklist template is defined once (``checklists/default_template.py``), in every language it ships
in; the data migrations that shipped it carry frozen copies, and the two must not drift apart. An engagement gets
its client's language, else English."""

import importlib

import pytest
from django.apps import apps

from checklists import services
from checklists.default_template import (
    CLOSES_WITH,
    DEFAULT_STAGES,
    DEFAULT_TEMPLATE_DESCRIPTION,
    DEFAULT_TEMPLATE_KEY,
    DEFAULT_TEMPLATE_NAME,
    TRANSLATIONS,
)
from checklists.models import ChecklistItem, ChecklistStage, ChecklistTemplate
from engagements.models import ClientProfile
from engagements.tests.factories import ClientProfileFactory

from .factories import ChecklistTemplateFactory, TemplateItemFactory, TemplateStageFactory

pytestmark = pytest.mark.django_db

SHIPPED = importlib.import_module("engagements.migrations.0003_default_checklist_template")
TRANSLATED = importlib.import_module("checklists.migrations.0007_default_template_translations")


def _shape(template):
    return (
        template.name,
        template.description,
        template.is_default,
        [
            (
                stage.title,
                stage.position,
                stage.client_acceptance_required,
                [
                    (i.title, i.guidance, i.owner_side, i.default_assignee_role, i.due_offset_days, i.due_from)
                    + (i.evidence_required, i.closes_with, i.position)
                    for i in stage.items.order_by("position")
                ],
            )
            for stage in template.stages.order_by("position")
        ],
    )


def _default(language):
    return ChecklistTemplate.objects.get(key=DEFAULT_TEMPLATE_KEY, language=language)


def _checklist_of(engagement):
    return [
        (stage.title, list(stage.items.order_by("position").values_list("title", flat=True)))
        for stage in ChecklistStage.objects.filter(engagement=engagement).order_by("position")
    ]


def _translated_checklist(language):
    return [(title, [item for item, _guidance in items]) for title, items in TRANSLATIONS[language][2]]


def test_the_shipped_default_template_is_the_one_defined_here():
    """Changing the default means changing ``default_template.py`` and adding a data migration for existing
    databases: this test names the drift instead of letting a fresh database and an old one differ."""
    assert (SHIPPED.FROZEN_NAME, SHIPPED.FROZEN_DESCRIPTION, SHIPPED.FROZEN_STAGES) == (
        DEFAULT_TEMPLATE_NAME,
        DEFAULT_TEMPLATE_DESCRIPTION,
        DEFAULT_STAGES,
    )
    assert (TRANSLATED.TRANSLATIONS, TRANSLATED.CLOSES_WITH, TRANSLATED.DEFAULT_KEY) == (
        TRANSLATIONS,
        CLOSES_WITH,
        DEFAULT_TEMPLATE_KEY,
    )


def test_the_default_ships_in_english_polish_and_german_with_one_structure():
    english = _shape(_default("en"))
    for language in ("pl", "de"):
        translated = _shape(_default(language))
        assert translated[0] == TRANSLATIONS[language][0] and translated[2]  # its own name, the default
        # The same stages and items, only the words differ.
        assert [(s[1], s[2], [i[2:] for i in s[3]]) for s in translated[3]] == [
            (s[1], s[2], [i[2:] for i in s[3]]) for s in english[3]
        ]
    assert _default("pl").stages.first().title == "Zakres i zobowiązania"
    assert _default("de").stages.first().title == "Umfang und Pflichten"


@pytest.mark.parametrize("language", ["en", "pl", "de"])
def test_the_rebuilt_default_equals_the_migrated_one(language):
    migrated = _shape(_default(language))
    ChecklistTemplate.objects.all().delete()
    services.template_default_ensure()
    assert _shape(_default(language)) == migrated


def test_the_ensure_hook_puts_back_only_the_missing_language():
    german = _default("de")
    _default("pl").delete()
    services.template_default_ensure()
    assert _default("de") == german
    assert _shape(_default("pl"))[0] == "Standardowe wdrożenie"
    assert ChecklistTemplate.objects.count() == 3


@pytest.mark.parametrize("language", ["pl", "de"])
def test_the_default_applied_for_a_polish_or_german_client_is_in_its_language(csm, engagement, language):
    ClientProfileFactory(organization=engagement.client, language=language)
    # Whichever row was chosen (the staff member's own language, say), the client's is copied.
    services.template_apply(by=csm, engagement=engagement, template=_default("en"))
    assert _checklist_of(engagement) == _translated_checklist(language)
    work_plan = ChecklistItem.objects.get(stage__engagement=engagement, closes_with="work_plan")
    assert work_plan.title == TRANSLATIONS[language][2][-1][1][-1][0]


def test_an_english_client_gets_english_from_a_translated_choice(csm, engagement):
    ClientProfileFactory(organization=engagement.client, language="en")
    services.template_apply(by=csm, engagement=engagement, template=_default("pl"))
    assert _checklist_of(engagement)[0][0] == "Scope and obligations"


def test_a_language_an_admin_added_is_used(csm, engagement):
    english = ChecklistTemplateFactory(key="lean", language="en", name="Lean onboarding")
    TemplateItemFactory(stage=TemplateStageFactory(template=english, title="Scope"), title="Agree the scope")
    polish = ChecklistTemplateFactory(key="lean", language="pl", name="Wdrożenie uproszczone")
    TemplateItemFactory(stage=TemplateStageFactory(template=polish, title="Zakres"), title="Uzgodnienie zakresu")
    ClientProfileFactory(organization=engagement.client, language="pl")
    services.template_apply(by=csm, engagement=engagement, template=english)
    assert _checklist_of(engagement) == [("Zakres", ["Uzgodnienie zakresu"])]


def test_a_template_missing_in_the_clients_language_falls_back_to_english(csm, engagement):
    english = ChecklistTemplateFactory(key="lean", language="en", name="Lean onboarding")
    TemplateItemFactory(stage=TemplateStageFactory(template=english, title="Scope"), title="Agree the scope")
    ChecklistTemplateFactory(key="lean", language="pl", name="Wdrożenie uproszczone")
    ClientProfileFactory(organization=engagement.client, language="de")
    services.template_apply(
        by=csm, engagement=engagement, template=ChecklistTemplate.objects.get(language="pl", key="lean")
    )
    assert _checklist_of(engagement) == [("Scope", ["Agree the scope"])]


def test_a_client_without_a_profile_gets_english(csm, engagement):
    ClientProfile.objects.filter(organization=engagement.client).delete()
    services.template_apply(by=csm, engagement=engagement, template=_default("de"))
    assert _checklist_of(engagement)[0][0] == "Scope and obligations"


def test_the_migration_keys_existing_templates_and_adds_the_translations():
    """0007 on a database as it was before: the default without a key and no translations (called on today's
    models, which agree with the historical ones on the fields it touches; today's unique key allows one empty key
    per language, so the clash is staged in another language)."""
    ChecklistTemplate.objects.exclude(language="en").delete()
    english = _shape(_default("en"))
    ChecklistTemplate.objects.filter(language="en").update(key="")
    ChecklistTemplateFactory(name="Lean", key="lean-onboarding", language="it")
    clashing = ChecklistTemplateFactory(name="Lean onboarding!", language="it", key="x")
    ChecklistTemplate.objects.filter(pk=clashing.pk).update(key="")
    TRANSLATED.forwards(apps, None)
    assert ChecklistTemplate.objects.get(language="en").key == DEFAULT_TEMPLATE_KEY
    assert ChecklistTemplate.objects.get(pk=clashing.pk).key == f"lean-onboarding-{clashing.pk}"
    assert _shape(_default("en")) == english
    migrated = {language: _shape(_default(language)) for language in ("pl", "de")}
    ChecklistTemplate.objects.filter(language__in=["pl", "de"]).delete()
    services.template_default_ensure()
    assert migrated == {language: _shape(_default(language)) for language in ("pl", "de")}
    TRANSLATED.forwards(apps, None)  # Again: nothing doubles.
    assert ChecklistTemplate.objects.filter(key=DEFAULT_TEMPLATE_KEY).count() == 3
