"""The default checklist template is defined once (``checklists/default_template.py``); the data migration that
shipped it carries a frozen copy, and the two must not drift apart."""

import importlib

import pytest

from checklists import services
from checklists.default_template import DEFAULT_STAGES, DEFAULT_TEMPLATE_DESCRIPTION, DEFAULT_TEMPLATE_NAME
from checklists.models import ChecklistTemplate

pytestmark = pytest.mark.django_db

SHIPPED = importlib.import_module("engagements.migrations.0003_default_checklist_template")


def _shape(template):
    return (
        template.name,
        template.description,
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


def test_the_shipped_default_template_is_the_one_defined_here():
    """Changing the default means changing ``default_template.py`` and adding a data migration for existing
    databases: this test names the drift instead of letting a fresh database and an old one differ."""
    assert (SHIPPED.FROZEN_NAME, SHIPPED.FROZEN_DESCRIPTION, SHIPPED.FROZEN_STAGES) == (
        DEFAULT_TEMPLATE_NAME,
        DEFAULT_TEMPLATE_DESCRIPTION,
        DEFAULT_STAGES,
    )


def test_the_rebuilt_default_equals_the_migrated_one():
    migrated = _shape(ChecklistTemplate.objects.get(name=DEFAULT_TEMPLATE_NAME))
    ChecklistTemplate.objects.all().delete()
    rebuilt = services.template_default_ensure()
    assert _shape(rebuilt) == migrated
    assert rebuilt.is_default
