"""The maintained figures equal a full recomputation (issue 24; Hypothesis): after any sequence of writes through
the services (ticking and unticking items, moving due dates, raising and resolving red flags, promises made) and
of clock moves (the beat's broken-promise sweep and the figures tick run at the new instant), every engagement's
``EngagementFigures`` row is what ``engagements.figures.recomputed`` computes afresh. Every instant is explicit
(``now``), from a fixed start, so the suite under faketime sees the same cases; and the dashboard and the CSM
dashboard read them in a number of queries that does not grow with the engagements."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklists import services as checklist_services
from checklists.models import ChecklistItem, ItemStatus
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import figures
from engagements.models import Engagement, EngagementFigures
from engagements.services import promise_notices
from engagements.tests.factories import EngagementFactory, PromiseFactory
from escalations import services as escalation_services
from escalations.models import RedFlag
from escalations.models.flags import OPEN_STATUSES, FlagCategory, Severity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# A Sunday evening, an hour before midnight (the day the items fall overdue on comes within a clock move or two).
START = datetime(2027, 1, 3, 23, 0, tzinfo=UTC)


class _RolledBack(Exception):
    pass


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(0, 7)),
        st.tuples(st.just("untick"), st.integers(0, 7)),
        st.tuples(st.just("due"), st.integers(0, 7), st.integers(-3, 3)),
        st.tuples(st.just("raise"), st.integers(0, 1)),
        st.tuples(st.just("resolve"), st.integers(0, 1)),
        st.tuples(st.just("promise"), st.integers(0, 1), st.integers(1, 30)),
        st.tuples(st.just("clock"), st.integers(1, 30)),
    ),
    min_size=1,
    max_size=12,
)


def _check(ids, now):
    assert figures.stored(ids) == figures.recomputed(ids, now=now)


def _step(step, *, engagements, items, csm, now):
    kind = step[0]
    if kind == "tick":
        item = ChecklistItem.objects.get(pk=items[step[1]].pk)
        if item.status != ItemStatus.DONE:
            checklist_services.item_complete(by=csm, item=item, now=now)
    elif kind == "untick":
        item = ChecklistItem.objects.get(pk=items[step[1]].pk)
        if item.status == ItemStatus.DONE:
            checklist_services.item_reopen(by=csm, item=item, now=now)
    elif kind == "due":
        item = ChecklistItem.objects.get(pk=items[step[1]].pk)
        day = now.date() + timedelta(days=step[2])
        checklist_services.item_update(by=csm, item=item, due_on=day, now=now)
    elif kind == "raise":
        escalation_services.flag_raise(
            engagement=engagements[step[1]],
            by=csm,
            title="Orders are not arriving",
            description="Since Monday no order reached the warehouse.",
            category=FlagCategory.QUALITY,
            severity=Severity.HIGH,
            now=now,
        )
    elif kind == "resolve":
        flag = RedFlag.objects.filter(engagement=engagements[step[1]], status__in=OPEN_STATUSES).first()
        if flag is not None:
            escalation_services.flag_resolve(flag=flag, by=csm, resolution="Fixed the feed.", now=now)
    elif kind == "promise":
        promise = PromiseFactory(engagement=engagements[step[1]], due_at=now + timedelta(hours=step[2]))
        # As ``promise_record`` would at this instant (the factory refreshed at the wall clock's).
        figures.figures_refresh([promise.engagement_id], now=now)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_maintained_figures_equal_a_recomputation(engagement, csm, steps):
    try:
        with transaction.atomic():
            other = EngagementFactory(client=engagement.client, csm=csm)
            engagements = [engagement, other]
            items = []
            for target in engagements:
                stage = ChecklistStageFactory(engagement=target)
                for offset in (-2, 0, 1, 5):
                    items.append(ChecklistItemFactory(stage=stage, due_on=START.date() + timedelta(days=offset)))
            ids = [e.pk for e in engagements]
            now = START
            figures.figures_refresh(ids, now=now)
            _check(ids, now)
            for step in steps:
                if step[0] == "clock":
                    now += timedelta(hours=step[1])
                    # What beat does at the new instant: the broken-promise sweep, then the figures tick.
                    promise_notices.promises_mark_broken(now=now)
                    figures.figures_tick(now=now)
                else:
                    _step(step, engagements=engagements, items=items, csm=csm, now=now)
                _check(ids, now)
            raise _RolledBack
    except _RolledBack:
        pass


def test_a_page_reads_rows_of_another_day_afresh(engagement, csm):
    """Between midnight and the tick a page does not show yesterday's figures: ``figures_current`` recomputes
    rows of another date first (and leaves current ones alone)."""
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, due_on=START.date())
    figures.figures_refresh([engagement.pk], now=START)
    assert EngagementFigures.objects.get(pk=engagement.pk).overdue_items == 0
    later = START + timedelta(hours=2)  # past midnight: the item is overdue now
    figures.figures_current(Engagement.objects.filter(pk=engagement.pk), now=later)
    row = EngagementFigures.objects.get(pk=engagement.pk)
    assert (row.as_of, row.overdue_items, row.health) == (later.date(), 1, "at_risk")
    assert figures.stored([engagement.pk]) == figures.recomputed([engagement.pk], now=later)


def test_the_backfill_computes_every_engagement(engagement, csm):
    from django.core.management import call_command

    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), overdue=True)
    EngagementFigures.objects.all().delete()
    call_command("figures_backfill", stdout=io.StringIO())
    now = datetime.now(UTC)
    ids = list(Engagement.objects.values_list("pk", flat=True))
    assert figures.stored(ids) == figures.recomputed(ids, now=now)


def _grow(client_org, csm, n):
    for _ in range(n):
        other = EngagementFactory(client=client_org, csm=csm)
        stage = ChecklistStageFactory(engagement=other)
        for _ in range(3):
            ChecklistItemFactory(stage=stage, overdue=True)


@pytest.mark.parametrize("persona", ["director", "csm"])
def test_the_dashboards_read_the_figures_in_constant_queries(
    request, persona, engagement, client_org, csm, client, django_assert_max_num_queries
):
    """The director's portfolio and the CSM dashboard: the same number of queries at 3 and at 60 engagements
    (pages of 50), cold (the fragment cache off)."""
    from django.test import override_settings

    user = request.getfixturevalue(persona)
    client.force_login(user)
    caches = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=caches):
        _grow(client_org, csm, 3)
        client.get("/")  # the rows made current once
        with django_assert_max_num_queries(40) as small:
            assert client.get("/").status_code == 200
        queries = len(small)  # read now: the connection's query log is a bounded deque the growth below rolls
        _grow(client_org, csm, 57)
        client.get("/")
        with django_assert_max_num_queries(queries):
            response = client.get("/")
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="engagement-row-') == 50
