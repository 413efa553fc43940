"""Red flags and action-plan steps on "My work": who sees which, and a query count that does not grow with flags."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from engagements import work
from escalations import services
from escalations.models import RedFlag, StepSide
from escalations.work import flags_waiting, plan_steps

from .factories import TUESDAY_10, raise_flag

pytestmark = pytest.mark.django_db


def titles(fetch, user) -> list[str]:
    return [entry.title for entry in fetch(user=user, today=timezone.localdate(), limit=work.LIMIT).entries]


def lists_for(user) -> list[str]:
    return [work_list.name for work_list, _found in work.work_for(user=user, today=timezone.localdate())]


def test_a_new_flag_waits_for_the_pm_who_owns_it_and_nobody_else(engagement, client_key_user, pm, csm, director):
    raise_flag(engagement, client_key_user, title="Orders lost")
    assert titles(flags_waiting, pm) == ["Orders lost"]
    (entry,) = flags_waiting(user=pm, today=timezone.localdate(), limit=5).entries
    assert entry.overdue and "acknowledge" in entry.note and entry.engagement.endswith("Warehouse rollout")
    assert "escalations.flags_waiting" in lists_for(pm)
    # Level 1 is the project level: customer success and the directors are not asked yet.
    assert titles(flags_waiting, csm) == []
    assert titles(flags_waiting, director) == []


def test_a_flag_at_the_directors_level_waits_for_every_director(engagement, client_key_user, director, vendor):
    flag = raise_flag(engagement, client_key_user, title="Still lost")
    RedFlag.objects.filter(pk=flag.pk).update(level=3)
    other_director = UserFactory(director=True, organization=vendor)
    assert titles(flags_waiting, director) == ["Still lost"]
    assert titles(flags_waiting, other_director) == ["Still lost"]


def test_a_flag_waiting_on_the_client_or_of_another_client_is_not_listed(
    engagement, other_engagement, client_key_user, other_client_user, pm
):
    paused = raise_flag(engagement, client_key_user, title="Paused")
    services.flag_pause(flag=paused, by=pm, reason="Send the order numbers", now=TUESDAY_10 + timedelta(minutes=5))
    raise_flag(other_engagement, other_client_user, title="Not ours")
    assert titles(flags_waiting, pm) == []


def test_an_acknowledged_flag_stays_while_the_client_update_is_due(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user, title="Quiet", now=timezone.now())
    services.flag_acknowledge(flag=flag, by=pm, now=timezone.now())
    RedFlag.objects.filter(pk=flag.pk).update(
        update_due_at=timezone.now() + timedelta(hours=2), resolve_due_at=timezone.now() + timedelta(days=5)
    )
    (entry,) = flags_waiting(user=pm, today=timezone.localdate(), limit=5).entries
    assert "update" in entry.note and not entry.overdue
    # Nothing pressing any more: off the list.
    RedFlag.objects.filter(pk=flag.pk).update(update_due_at=timezone.now() + timedelta(days=3))
    assert titles(flags_waiting, pm) == []


def test_vendor_side_plan_steps_are_on_their_owners_my_work(engagement, client_key_user, pm, csm):
    flag = raise_flag(engagement, client_key_user, title="Orders lost")
    for title, side, owner in [
        ("Replay the queue", StepSide.VENDOR, pm),
        ("Send the numbers", StepSide.CLIENT, client_key_user),
    ]:
        services.step_add(
            flag=flag, by=csm, title=title, owner_side=side, owner=owner, due_on=TUESDAY_10.date(), risk="More loss."
        )
    steps = plan_steps(user=pm, today=timezone.localdate(), limit=5).entries
    assert [(s.title, s.overdue, s.note) for s in steps] == [("Replay the queue", True, "Action plan: Orders lost")]
    assert titles(plan_steps, csm) == []
    # Client people have their steps among their tasks in the portal, not on My work.
    assert "escalations.plan_steps" not in lists_for(client_key_user)


def test_the_lists_run_the_same_queries_for_one_flag_and_many(engagement, client_key_user, pm, csm):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            flags_waiting(user=pm, today=timezone.localdate(), limit=work.LIMIT)
            plan_steps(user=pm, today=timezone.localdate(), limit=work.LIMIT)
        return len(captured)

    def grow(count):
        for n in range(count):
            flag = raise_flag(engagement, client_key_user, title=f"Flag {n}")
            services.step_add(
                flag=flag,
                by=csm,
                title="Step",
                owner_side=StepSide.VENDOR,
                owner=pm,
                due_on=TUESDAY_10.date(),
                risk="R",
            )

    grow(1)
    few = queries()
    grow(6)
    assert queries() == few == 4
