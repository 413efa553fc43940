"""A red flag's life against a simple model of the rules (Hypothesis, stateful): raise, acknowledge, pause, resume,
resolve, confirm, reopen, and clock ticks that run the sweep. After every step the flag must agree with the model
and with the rules that hold whatever happened:

- the status is what the actions and the clock say (only the sweep's auto-close changes it on its own);
- nothing due is left undone after a sweep, and ``next_due_at`` is the earliest timer;
- a flag waiting on the client has no running timer and never escalates; its paused time only grows;
- levels only climb within a cycle, one at a time, never past the last; each (cycle, level, round) happens once;
- an acknowledged level is never escalated for a missed acknowledgement.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import services
from escalations.models import TIMER_FIELDS, Escalation, EscalationReason, FlagEvent, FlagStatus, RedFlag
from escalations.timers import PAUSABLE
from notifications.services import fanout_expand

from .factories import TUESDAY_10
from .invariants import (
    escalations_without_notifications,
    group_notices_not_matching,
    notifications_not_from_their_fanout,
)

RUNNING = {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED, FlagStatus.PLAN_AGREED, FlagStatus.REOPENED}
LAST_LEVEL = 4
AUTO_CLOSE = timedelta(days=5)


class FlagLife(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        client = OrganizationFactory()
        self.engagement = EngagementFactory(client=client)
        self.reporter = UserFactory(key_user=True, organization=client)
        self.staff = self.engagement.pm
        self.now = TUESDAY_10
        self.flag = None
        # The model: what the rules say the flag is.
        self.status = None
        self.cycle = 1
        self.level = 1
        self.acknowledged = False
        self.resolved_at = None
        self.paused_total = timedelta(0)

    def _reload(self) -> RedFlag:
        self.flag = RedFlag.objects.get(pk=self.flag.pk)
        return self.flag

    @initialize(severity=st.sampled_from(["critical", "high", "normal"]))
    def raise_flag(self, severity):
        self.flag = services.flag_raise(
            engagement=self.engagement,
            by=self.reporter,
            title="Orders lost",
            description="Nothing arrived.",
            category="quality",
            severity=severity,
            now=self.now,
        )
        self.status = FlagStatus.OPEN

    @rule(minutes=st.integers(min_value=1, max_value=60 * 30), expand=st.booleans())
    def tick(self, minutes, expand):
        before = self._reload()
        self.now += timedelta(minutes=minutes)
        escalations_before = Escalation.objects.filter(flag=before).count()
        services.escalation_sweep(now=self.now)
        if expand:
            # The relay, which expands what the sweep deferred, runs after some ticks and not others.
            fanout_expand(now=self.now)
        flag = self._reload()
        # Whatever was due at the tick was acted on: the next deadline lies after it.
        assert flag.next_due_at is None or flag.next_due_at > self.now
        if before.status == FlagStatus.RESOLVED and self.now >= self.resolved_at + AUTO_CLOSE:
            self.status = FlagStatus.CLOSED
        if before.status == FlagStatus.WAITING:
            assert Escalation.objects.filter(flag=flag).count() == escalations_before, "a paused flag escalated"
        if flag.cycle == before.cycle:
            assert before.level <= flag.level <= min(before.level + 1, LAST_LEVEL)
        if flag.level != self.level:
            self.level, self.acknowledged = flag.level, False

    @precondition(lambda self: self.status in RUNNING and not self.acknowledged)
    @rule()
    def acknowledge(self):
        self.now += timedelta(minutes=1)
        services.flag_acknowledge(flag=self.flag, by=self.staff, expected_level=self.level, now=self.now)
        self.acknowledged = True
        if self.status in (FlagStatus.OPEN, FlagStatus.REOPENED):
            self.status = FlagStatus.ACKNOWLEDGED

    @precondition(lambda self: self.status in RUNNING)
    @rule()
    def pause(self):
        self.now += timedelta(minutes=1)
        self.before_pause = self.status
        services.flag_pause(flag=self.flag, by=self.staff, reason="Send the order numbers", now=self.now)
        self.status = FlagStatus.WAITING

    @precondition(lambda self: self.status == FlagStatus.WAITING)
    @rule(by_client=st.booleans())
    def resume(self, by_client):
        self.now += timedelta(minutes=1)
        if by_client:
            services.flag_client_reply(flag=self.flag, by=self.reporter, body="Here they are", now=self.now)
        else:
            services.flag_resume(flag=self.flag, by=self.staff, now=self.now)
        self.status = self.before_pause
        flag = self._reload()
        assert flag.paused_total >= self.paused_total
        self.paused_total = flag.paused_total

    @precondition(lambda self: self.status in RUNNING | {FlagStatus.WAITING})
    @rule()
    def resolve(self):
        self.now += timedelta(minutes=1)
        services.flag_resolve(flag=self.flag, by=self.staff, resolution="Fixed", now=self.now)
        self.status, self.resolved_at = FlagStatus.RESOLVED, self.now
        self.paused_total = self._reload().paused_total

    @precondition(lambda self: self.status == FlagStatus.RESOLVED)
    @rule()
    def confirm(self):
        self.now += timedelta(minutes=1)
        services.flag_confirm(flag=self.flag, by=self.reporter, now=self.now)
        self.status = FlagStatus.CLOSED

    @precondition(lambda self: self.status in (FlagStatus.RESOLVED, FlagStatus.CLOSED))
    @rule()
    def reopen(self):
        self.now += timedelta(minutes=1)
        services.flag_reopen(flag=self.flag, by=self.reporter, reason="Back again", now=self.now)
        self.status, self.cycle, self.acknowledged = FlagStatus.REOPENED, self.cycle + 1, False

    @invariant()
    def agrees_with_the_model(self):
        if self.flag is None:
            return
        flag = self._reload()
        assert flag.status == self.status
        assert flag.cycle == self.cycle
        assert 1 <= flag.level <= LAST_LEVEL
        assert (flag.level_acknowledged_at is not None) == self.acknowledged or flag.level != self.level

    @invariant()
    def timers_follow_the_rules(self):
        if self.flag is None:
            return
        flag = self.flag
        timers = {name: getattr(flag, name) for name in TIMER_FIELDS}
        running = [value for value in timers.values() if value is not None]
        assert flag.next_due_at == (min(running) if running else None)
        if flag.status == FlagStatus.WAITING:
            assert not running and set(flag.paused_remaining) <= set(PAUSABLE)
        if flag.status in (FlagStatus.CLOSED, FlagStatus.DUPLICATE):
            assert not running
        if flag.status == FlagStatus.RESOLVED:
            assert running == [flag.auto_close_at]
        if flag.status in RUNNING and flag.level_acknowledged_at is not None:
            assert flag.ack_due_at is None

    @invariant()
    def nothing_due_is_left_undone_and_nothing_happens_twice(self):
        if self.flag is None:
            return
        keys = list(Escalation.objects.filter(flag=self.flag).values_list("cycle", "level", "round"))
        assert len(keys) == len(set(keys))
        for escalation in Escalation.objects.filter(flag=self.flag, reason=EscalationReason.ACKNOWLEDGE):
            acknowledged = FlagEvent.objects.filter(
                flag=self.flag, kind="acknowledged", cycle=escalation.cycle, level=escalation.level - 1
            ).values_list("at", flat=True)
            assert all(at >= escalation.due_at for at in acknowledged), "escalated although acknowledged in time"


@pytest.mark.django_db
# Each example has one flag, so at 0 every escalation the sweep writes in SQL is told of by a group notice (of one),
# at 3 by its own: both ways of telling must cover each escalation exactly once.
@pytest.mark.parametrize("group_notices_above", [3, 0])
def test_a_flags_life_follows_the_rules(group_notices_above):
    with override_settings(ESCALATIONS_GROUP_NOTICES_ABOVE=group_notices_above):
        run_state_machine_as_test(
            FlagLife,
            settings=settings(
                max_examples=25,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    # The examples went through the interesting paths, not just around them.
    assert Escalation.objects.filter(reason=EscalationReason.ACKNOWLEDGE).exists()
    assert FlagEvent.objects.filter(kind="resumed").exists() and RedFlag.objects.filter(cycle__gt=1).exists()
    assert RedFlag.objects.filter(status=FlagStatus.CLOSED).exists()
    assert escalations_without_notifications() == []
    assert group_notices_not_matching() == []
    assert Escalation.objects.exclude(notice_event=None).exists() == (group_notices_above == 0)
    assert notifications_not_from_their_fanout() == []
