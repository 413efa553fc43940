"""Dependencies and rescheduling against the database: linking (same engagement only, no cycles), the moves a
late, moved or finished predecessor makes, the history and the notices, template copies, and a constant number
of queries whatever the plan's size."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists import services
from checklists.models import (
    ChecklistItem,
    DependencyKind,
    ItemDependency,
    ItemStatus,
    PlanForecast,
    TemplateItemDependency,
)
from checklists.services.plan import PLAN_CATEGORY
from engagements.models import Side
from notifications.models import Notification

from .factories import (
    ChecklistItemFactory,
    ChecklistStageFactory,
    ItemDependencyFactory,
    TemplateItemDependencyFactory,
    TemplateItemFactory,
    TemplateStageFactory,
)

pytestmark = pytest.mark.django_db

# Thursday 14 January 2027, mid-morning in Warsaw: no public holiday in the weeks around it.
NOW = datetime(2027, 1, 14, 9, 0, tzinfo=ZoneInfo("UTC"))
MONDAY, TUESDAY, FRIDAY = date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 15)


@pytest.fixture
def chain(engagement, csm, client_key_user):
    stage = ChecklistStageFactory(engagement=engagement)
    contact = ChecklistItemFactory(
        stage=stage, title="Name the network contact", due_on=MONDAY, owner_side=Side.CLIENT, assignee=client_key_user
    )
    environment = ChecklistItemFactory(stage=stage, title="Set up the test environment", due_on=TUESDAY, assignee=csm)
    qa = ChecklistItemFactory(stage=stage, title="Start QA", due_on=date(2027, 1, 13), assignee=csm)
    return contact, environment, qa


def link(by, successor, predecessor, **kwargs):
    return services.dependency_add(by=by, item=successor, predecessor_id=predecessor.pk, now=NOW, **kwargs)


def test_linking_a_chain_moves_the_dependents_after_their_predecessors(csm, chain, engagement):
    contact, environment, qa = chain
    link(csm, environment, contact)
    link(csm, qa, environment, lag_days=1)
    # The contact is late (due Monday, open on Thursday): the environment can start Friday, QA a day later.
    environment.refresh_from_db(), qa.refresh_from_db()
    assert environment.due_on == FRIDAY
    assert qa.due_on == date(2027, 1, 19)  # Friday, a working day's lag (Monday), then Tuesday
    event = environment.events.filter(action="rescheduled").last()
    assert event.changes["due_on"] == [TUESDAY.isoformat(), FRIDAY.isoformat()]
    assert dict(event.change_lines)["because"] == "it now waits for “Name the network contact”"


def test_a_late_client_task_shows_what_it_holds(csm, chain, engagement):
    contact, environment, qa = chain
    engagement.target_go_live_on = date(2027, 1, 13)
    engagement.save()
    link(csm, environment, contact)
    link(csm, qa, environment)
    forecast = PlanForecast.objects.get(engagement=engagement)
    assert forecast.forecast_on == date(2027, 1, 18)  # QA the working day after the environment's Friday
    assert forecast.behind_days == 3
    assert [step["item"] for step in forecast.critical] == [contact.pk, environment.pk, qa.pk]
    assert forecast.critical[0] == {"item": contact.pk, "side": Side.CLIENT, "holds": 3}


def test_people_whose_items_moved_are_told_once_per_change(csm, chain, engagement):
    contact, environment, qa = chain
    link(csm, environment, contact)
    link(csm, qa, contact)
    Notification.objects.all().delete()
    # The contact moves later by hand: both of the CSM's items move, and the CSM hears of it once.
    services.item_update(by=csm, item=contact, due_on=date(2027, 1, 18), now=NOW)
    notices = Notification.objects.filter(category=PLAN_CATEGORY, recipient=csm)
    assert notices.count() == notices.values("channel").distinct().count()  # one per channel, not per item
    assert notices.filter(channel="in_app").count() == 1


def test_finishing_early_pulls_the_dependents_in(csm, chain):
    contact, environment, _qa = chain
    contact.due_on = date(2027, 1, 20)
    contact.save()
    link(csm, environment, contact)
    environment.refresh_from_db()
    assert environment.due_on == date(2027, 1, 21)
    services.item_complete(by=csm, item=contact, now=NOW)
    environment.refresh_from_db()
    assert environment.due_on == FRIDAY  # done on Thursday the 14th: the environment can be done on Friday


def test_a_date_chosen_by_hand_is_pinned_and_stays(csm, chain):
    contact, environment, _qa = chain
    services.item_update(by=csm, item=environment, due_on=TUESDAY.replace(day=13), now=NOW)
    link(csm, environment, contact)
    environment.refresh_from_db()
    assert environment.due_pinned and environment.due_on == date(2027, 1, 13)
    plan, _items, _calendar = services.plan_of(environment.stage.engagement, today=NOW.date())
    assert plan.conflicts == {environment.pk: contact.pk}
    services.item_unpin(by=csm, item=environment, now=NOW)
    environment.refresh_from_db()
    assert not environment.due_pinned and environment.due_on == FRIDAY


def test_a_cycle_is_refused_in_words_and_nothing_changes(csm, chain):
    contact, environment, qa = chain
    link(csm, environment, contact)
    link(csm, qa, environment)
    with pytest.raises(ValidationError, match="circle"):
        link(csm, contact, qa)
    assert ItemDependency.objects.count() == 2


def test_another_engagements_item_cannot_be_a_predecessor(csm, chain, other_engagement):
    foreign = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other_engagement))
    with pytest.raises(ValidationError, match="this engagement"):
        link(csm, chain[1], foreign)
    with pytest.raises(ValidationError, match="itself"):
        link(csm, chain[1], chain[1])
    assert not ItemDependency.objects.exists()


def test_a_bad_lag_is_refused(csm, chain):
    with pytest.raises(ValidationError, match="lag"):
        link(csm, chain[1], chain[0], lag_days="soon")


def test_the_templates_dependencies_come_with_it(csm, engagement):
    stage = TemplateStageFactory()
    first = TemplateItemFactory(stage=stage, title="Contact", due_offset_days=3)
    second = TemplateItemFactory(stage=stage, title="Environment", due_offset_days=3, duration_days=2)
    TemplateItemDependencyFactory(predecessor=first, successor=second, kind=DependencyKind.FINISH_TO_START, lag_days=1)
    engagement.kickoff_on = date(2027, 1, 8)  # a Friday: Contact is due on Monday the 11th
    engagement.save()
    services.template_apply(by=csm, engagement=engagement, template=stage.template, now=NOW)
    contact, environment = ChecklistItem.objects.filter(stage__engagement=engagement).order_by("position")
    assert ItemDependency.objects.filter(predecessor=contact, successor=environment, lag_days=1).exists()
    # Contact due Monday the 11th but open on the 14th: it ends the 14th; a day's lag; two days: 18th and 19th.
    assert environment.due_on == date(2027, 1, 19)


def _plan_of_size(engagement, csm, n: int):
    stage = ChecklistStageFactory(engagement=engagement)
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(stage=stage, title=f"Step {i}", due_on=date(2027, 2, 1), assignee=csm, position=i)
        for i in range(n)
    )
    edges = []
    for i in range(1, n):
        for back in (1, 2, 3, 4):
            if i - back >= 0:
                edges.append(ItemDependency(engagement=engagement, predecessor=items[i - back], successor=items[i]))
    ItemDependency.objects.bulk_create(edges)
    return items


def _move_root(engagement, csm, items):
    services.plan_reschedule(engagement=engagement, by=csm, cause={"kind": "moved"}, now=NOW)
    root = ChecklistItem.objects.select_related("stage__engagement").get(pk=items[0].pk)
    with CaptureQueriesContext(connection) as queries:
        services.item_update(by=csm, item=root, due_on=date(2027, 2, 8), now=NOW)
    moved = ChecklistItem.objects.filter(stage__engagement=engagement, due_on__gt=date(2027, 2, 8)).count()
    item_updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE checklists_checklistitem ", 'UPDATE "checklists_checklistitem"'))
    ]
    return len(queries.captured_queries), moved, len(item_updates)


def test_moving_one_item_takes_the_same_queries_at_any_size(csm, engagement, other_engagement):
    """25 items with 94 dependencies and 100 with 394: every dependent moves, in one UPDATE, with as many queries."""
    other_engagement.csm = csm
    other_engagement.save()
    small = _move_root(engagement, csm, _plan_of_size(engagement, csm, 25))
    large = _move_root(other_engagement, csm, _plan_of_size(other_engagement, csm, 100))
    assert small[1:] == (24, 2) and large[1:] == (99, 2)  # the moved item itself, then its dependents at once
    assert small[0] == large[0]


def test_an_unchanged_plan_writes_no_item(csm, engagement):
    _plan_of_size(engagement, csm, 10)
    services.plan_reschedule(engagement=engagement, by=csm, cause={"kind": "moved"}, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        plan = services.plan_reschedule(engagement=engagement, by=csm, cause={"kind": "moved"}, now=NOW)
    assert plan.moves == {}
    assert not [q for q in queries.captured_queries if "UPDATE checklists_checklistitem" in q["sql"]]


def test_the_daily_tick_replans_late_plans_once_a_day(csm, chain, engagement):
    contact, environment, _qa = chain
    ItemDependencyFactory(predecessor=contact, successor=environment)
    assert services.plan_reschedule_late(now=NOW) == 1
    environment.refresh_from_db()
    assert environment.due_on == FRIDAY
    assert services.plan_reschedule_late(now=NOW) == 0
    contact.status = ItemStatus.DONE
    contact.save()


def test_a_duplicated_template_keeps_its_dependencies():
    stage = TemplateStageFactory()
    first, second = TemplateItemFactory(stage=stage, title="Contact"), TemplateItemFactory(stage=stage, title="Env")
    TemplateItemDependencyFactory(predecessor=first, successor=second, lag_days=2)
    copy = services.template_duplicate(template=stage.template)
    dependency = TemplateItemDependency.objects.get(successor__stage__template=copy)
    assert (dependency.predecessor.title, dependency.successor.title, dependency.lag_days) == ("Contact", "Env", 2)


def test_a_template_circle_or_another_templates_item_is_refused_in_words():
    stage = TemplateStageFactory()
    first, second = TemplateItemFactory(stage=stage, title="Contact"), TemplateItemFactory(stage=stage, title="Env")
    TemplateItemDependencyFactory(predecessor=first, successor=second)
    with pytest.raises(ValidationError, match="circle"):
        TemplateItemDependency(predecessor=second, successor=first).full_clean()
    with pytest.raises(ValidationError, match="same checklist template"):
        TemplateItemDependency(predecessor=TemplateItemFactory(), successor=first).full_clean()
