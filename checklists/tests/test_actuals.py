"""Stage actuals as entries: a history of effort and money spent, with totals and burn computed from it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from checklists import selectors as checklist_selectors
from checklists import services as checklist_services
from checklists.models import StageActual

from .factories import ChecklistStageFactory, StageActualFactory

pytestmark = pytest.mark.django_db


def test_entries_add_up_to_the_stage_totals(csm, pm, budgeted):
    scope = ChecklistStageFactory(engagement=budgeted)
    qa = ChecklistStageFactory(engagement=budgeted)
    today = timezone.localdate()
    checklist_services.stage_actual_add(
        by=csm, stage=scope, spent_on=today, effort_days=Decimal("3"), amount=Decimal("1500")
    )
    checklist_services.stage_actual_add(
        by=pm, stage=scope, spent_on=today - timedelta(days=2), effort_days=Decimal("1.5"), note="Workshop"
    )
    checklist_services.stage_actual_add(by=csm, stage=qa, spent_on=today, amount=Decimal("1000"))
    page = checklist_selectors.checklist_overview(engagement=budgeted, user=csm)
    by_stage = {view.stage.pk: view for view in page.stages}
    assert (by_stage[scope.pk].actual_days, by_stage[scope.pk].actual_amount) == (Decimal("4.5"), Decimal("1500"))
    assert [entry.note for entry in by_stage[scope.pk].actuals] == ["", "Workshop"]
    assert by_stage[scope.pk].actuals[1].recorded_by == pm
    assert (page.actual_days, page.actual_amount) == (Decimal("4.5"), Decimal("2500"))


def test_an_entry_needs_effort_or_amount_and_nothing_negative(csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        checklist_services.stage_actual_add(by=csm, stage=stage, spent_on=today)
    with pytest.raises(ValidationError):
        checklist_services.stage_actual_add(by=csm, stage=stage, spent_on=today, effort_days=Decimal("-1"), amount=5)
    assert not StageActual.objects.exists()


def test_only_managers_record_and_remove_entries(team_member, other_csm, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    for outsider in (team_member, other_csm):
        with pytest.raises(PermissionDenied):
            checklist_services.stage_actual_add(by=outsider, stage=stage, spent_on=timezone.localdate(), effort_days=1)
    entry = StageActualFactory(stage=stage)
    with pytest.raises(PermissionDenied):
        checklist_services.stage_actual_delete(by=team_member, entry=entry)
    checklist_services.stage_actual_delete(by=csm, entry=entry)
    assert not StageActual.objects.exists()


def test_client_users_never_see_entries(client_key_user, csm, engagement):
    StageActualFactory(stage=ChecklistStageFactory(engagement=engagement))
    assert not StageActual.objects.visible_to(client_key_user).exists()
    assert StageActual.objects.visible_to(csm).count() == 1
    page = checklist_selectors.checklist_overview(engagement=engagement, user=client_key_user)
    assert page.stages[0].actuals == []


def test_the_page_records_an_entry_and_lists_it(client, csm, budgeted):
    stage = ChecklistStageFactory(engagement=budgeted)
    client.force_login(csm)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("checklists:stage_actuals", args=[stage.pk]),
        {"spent_on": today, "effort_days": "3", "amount": "1200", "note": "Data migration dry run"},
        follow=True,
    )
    body = response.content.decode()
    assert "Actuals recorded." in body
    assert "Data migration dry run" in body
    assert "3.0 person-days, €1,200.00" in body
    assert "(15%)" in body  # 3 of 20 planned days


def test_bad_input_records_nothing_and_says_why(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    client.force_login(csm)
    url = reverse("checklists:stage_actuals", args=[stage.pk])
    response = client.post(url, {"spent_on": timezone.localdate().isoformat()}, follow=True)
    assert "Enter the effort or the amount spent." in response.content.decode()
    response = client.post(url, {"spent_on": "", "effort_days": "-2", "note": "Workshop"}, follow=True)
    body = response.content.decode()
    # The form again, with what was typed and each error in words next to its field.
    assert 'value="Workshop"' in body and 'value="-2"' in body
    assert (
        "Ensure this value is greater than or equal to 0." in body
        and "effort_days" not in body.split("<form")[1].split("name=")[0]
    )
    assert not StageActual.objects.exists()


def test_a_manager_removes_an_entry_from_the_page(client, csm, engagement):
    entry = StageActualFactory(stage=ChecklistStageFactory(engagement=engagement))
    client.force_login(csm)
    url = reverse("checklists:stage_actual_delete", args=[entry.pk])
    client.post(url)
    assert StageActual.objects.filter(pk=entry.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not StageActual.objects.filter(pk=entry.pk).exists()


def test_engagement_page_queries_do_not_grow_with_entries(client, csm, engagement, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(csm)
    stage = ChecklistStageFactory(engagement=engagement)
    StageActualFactory(stage=stage)
    url = reverse("portfolio:engagement", args=[engagement.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(3):
        other = ChecklistStageFactory(engagement=engagement)
        StageActualFactory.create_batch(4, stage=other)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_stage_total_into_one_entry():
    executor = MigrationExecutor(connection)
    before, after = [("engagements", "0005_stage_reopened")], [("engagements", "0006_stage_actual_entries")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    # Old-state rows, written through the historical models (the people and organizations too: today's models
    # have columns, such as a client's two-factor requirement, that the old state's tables may not have).
    Organization, User = apps.get_model("accounts", "Organization"), apps.get_model("accounts", "User")
    vendor = Organization.objects.create(name="Legacy vendor", slug="legacy-vendor", kind="vendor")
    client_org = Organization.objects.create(name="Legacy client", slug="legacy-client", kind="client")
    csm = User.objects.create(
        email="legacy.csm@vendor.example", full_name="Legacy CSM", organization=vendor, role="csm"
    )
    Engagement = apps.get_model("engagements", "Engagement")
    Stage = apps.get_model("engagements", "ChecklistStage")
    engagement = Engagement.objects.create(client_id=client_org.pk, name="Legacy", csm_id=csm.pk)
    spent = Stage.objects.create(
        engagement=engagement, title="Scope", actual_effort_days=Decimal("4.5"), actual_amount=Decimal("900")
    )
    Stage.objects.create(engagement=engagement, title="Nothing spent")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    entries = list(apps.get_model("engagements", "StageActual").objects.all())
    assert [(e.stage_id, e.effort_days, e.amount) for e in entries] == [(spent.pk, Decimal("4.5"), Decimal("900"))]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
