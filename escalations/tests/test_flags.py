"""A red flag's life through the services and the sweep, against hand-worked deadlines.

The default path and calendar (migration 0002): Mon-Fri 09:00-17:00 Europe/Warsaw; a HIGH flag is acknowledged
within 4 business hours and resolved within 24 at the project level, 4 and 16 at customer success; the client gets
an update at least every 8 business hours; breach warnings at 80 %.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from escalations import services
from escalations.models import (
    Escalation,
    EscalationReason,
    EventKind,
    FlagEvent,
    FlagStatus,
    RedFlag,
    Severity,
)
from notifications.models import Notification
from notifications.services import fanout_expand

from .factories import TUESDAY_10, raise_flag, warsaw

pytestmark = pytest.mark.django_db


def recipients(event_prefix: str) -> set[str]:
    # The sweep defers its notifications to the relay: expand what it wrote (its rows are due at the sweep's time).
    fanout_expand(now=timezone.now() + timedelta(days=3650))
    return set(
        Notification.objects.filter(event__startswith=event_prefix, channel="in_app").values_list(
            "recipient__email", flat=True
        )
    )


def test_a_client_raises_a_flag_that_starts_at_the_project_level(engagement, client_key_user, pm, csm):
    flag = raise_flag(engagement, client_key_user)
    assert flag.status == FlagStatus.OPEN and flag.level == 1 and flag.cycle == 1
    assert flag.owner == pm
    assert flag.reporter == client_key_user
    # Tuesday 10:00 + 4 business hours = 14:00; warning at 80 % = 13:12; resolve: 24 h = Friday 10:00.
    assert flag.ack_due_at == warsaw(2026, 11, 10, 14)
    assert flag.ack_warn_at == warsaw(2026, 11, 10, 13, 12)
    assert flag.resolve_due_at == warsaw(2026, 11, 13, 10)
    assert flag.next_due_at == flag.ack_warn_at
    assert flag.response_target == timedelta(hours=4) and flag.resolution_target == timedelta(hours=24)
    assert flag.sla_month.isoformat() == "2026-11-01"
    assert list(flag.followers.values_list("user", flat=True)) == [client_key_user.pk]
    assert recipients(f"redflag:{flag.pk}:raised:staff") == {pm.email}
    # The reporter gets a receipt with the time by which the team acknowledges it.
    assert recipients(f"redflag:{flag.pk}:raised:client") == {client_key_user.email}
    assert [e.kind for e in flag.events.all()] == [EventKind.RAISED]


def test_staff_raise_on_the_clients_behalf(engagement, csm, client_member, pm):
    flag = raise_flag(engagement, csm, reporter=client_member, severity=Severity.CRITICAL)
    assert flag.raised_by == csm and flag.reporter == client_member
    assert flag.ack_due_at == warsaw(2026, 11, 10, 11)  # critical: 1 business hour
    assert list(flag.followers.values_list("user", flat=True)) == [client_member.pk]


def test_bad_input_changes_nothing(engagement, client_key_user, other_client_user, csm, other_engagement):
    with pytest.raises(ValidationError):
        raise_flag(engagement, client_key_user, title="  ")
    with pytest.raises(ValidationError):
        raise_flag(engagement, client_key_user, severity="urgent")
    with pytest.raises(PermissionDenied):
        raise_flag(engagement, other_client_user)
    with pytest.raises(ValidationError):
        raise_flag(engagement, csm, reporter=other_client_user)
    with pytest.raises(PermissionDenied):
        raise_flag(other_engagement, csm)
    assert not RedFlag.objects.exists() and not Notification.objects.exists()


def test_acknowledging_takes_the_flag_and_starts_the_update_clock(engagement, client_key_user, deputy_pm):
    flag = raise_flag(engagement, client_key_user)
    now = warsaw(2026, 11, 10, 11)
    flag = services.flag_acknowledge(flag=flag, by=deputy_pm, expected_level=1, now=now)
    assert flag.status == FlagStatus.ACKNOWLEDGED and flag.owner == deputy_pm
    assert flag.first_response_at == now and flag.ack_due_at is None and flag.ack_warn_at is None
    # An update at least every 8 business hours: Tuesday 11:00 + 8 h = Wednesday 11:00; reminder at 80 %.
    assert flag.update_due_at == warsaw(2026, 11, 11, 11)
    assert flag.update_warn_at == warsaw(2026, 11, 11, 9, 24)
    assert recipients(f"redflag:{flag.pk}:ack:1:1:client") == {client_key_user.email}
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.flag_acknowledge(flag=flag, by=deputy_pm, now=now)


def test_the_sweep_escalates_a_missed_acknowledgement_exactly_once(engagement, client_key_user, csm, pm):
    flag = raise_flag(engagement, client_key_user)
    assert services.escalation_sweep(now=warsaw(2026, 11, 10, 13, 59)) == 1  # the 80 % warning only
    flag.refresh_from_db()
    assert flag.level == 1
    warning = FlagEvent.objects.get(flag=flag, kind=EventKind.WARNING)
    assert warning.is_internal
    assert recipients(f"warn:{flag.pk}:1:1:ack") == {pm.email}

    late = warsaw(2026, 11, 10, 14, 0, 1)
    assert services.escalation_sweep(now=late) == 1
    assert services.escalation_sweep(now=late) == 0  # nothing due any more: no second escalation
    flag.refresh_from_db()
    assert (flag.level, flag.owner, flag.status) == (2, csm, FlagStatus.OPEN)
    escalation = Escalation.objects.get(flag=flag)
    assert (escalation.cycle, escalation.level, escalation.round) == (1, 2, 0)
    assert escalation.reason == EscalationReason.ACKNOWLEDGE and escalation.due_at == warsaw(2026, 11, 10, 14)
    # The CSM owns it now; the PM is told on entry (the path says so); the client sees the new level.
    assert recipients(f"escalation:{flag.pk}:1:2:0:staff") == {csm.email, pm.email}
    assert recipients(f"escalation:{flag.pk}:1:2:0:client") == {client_key_user.email}
    # Customer success, HIGH: acknowledge within 4 business hours of 14:00:01 = Wednesday 10:00:01.
    assert flag.ack_due_at == warsaw(2026, 11, 11, 10, 0, 1)
    assert FlagEvent.objects.filter(flag=flag, kind=EventKind.ESCALATED, is_internal=False).count() == 1


def test_an_acknowledgement_that_lost_the_race_is_refused_for_the_old_level(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user)
    services.escalation_sweep(now=warsaw(2026, 11, 10, 14, 1))
    with pytest.raises(ValidationError, match="moved to level 2"):
        services.flag_acknowledge(flag=flag, by=pm, expected_level=1, now=warsaw(2026, 11, 10, 14, 2))


def test_the_last_level_is_reminded_up_to_the_maximum(engagement, client_key_user, executive, director):
    flag = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL)
    now = warsaw(2026, 11, 10, 11, 1)
    for expected_level in (2, 3, 4):
        services.escalation_sweep(now=now)
        flag.refresh_from_db()
        assert flag.level == expected_level
        now = flag.ack_due_at + timedelta(seconds=1)
    assert flag.owner == executive
    for _round in range(5):
        services.escalation_sweep(now=now)
        now += timedelta(hours=1, seconds=1)
    rounds = list(Escalation.objects.filter(flag=flag, level=4).order_by("round").values_list("round", "reason"))
    assert rounds == [(0, "acknowledge"), (1, "renotify"), (2, "renotify"), (3, "renotify")]
    flag.refresh_from_db()
    assert flag.renotify_at is None and flag.ack_due_at is None
    assert executive.email in recipients(f"escalation:{flag.pk}:1:4:3:staff")


def test_waiting_on_the_client_stops_the_clock_and_the_client_sees_why(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user)
    services.flag_acknowledge(flag=flag, by=pm, now=warsaw(2026, 11, 10, 11))
    # Paused on Tuesday 12:00: resolve was due Friday 10:00, i.e. 5 + 8 + 8 + 1 = 22 business hours left.
    flag = services.flag_pause(
        flag=flag, by=pm, reason="Send us the failing order numbers.", now=warsaw(2026, 11, 10, 12)
    )
    assert flag.status == FlagStatus.WAITING and flag.next_due_at is None
    assert flag.paused_remaining["resolve_due_at"] == 22 * 3600
    assert services.escalation_sweep(now=warsaw(2026, 11, 20, 12)) == 0
    assert recipients(f"redflag:{flag.pk}:waiting") == {client_key_user.email}
    paused = FlagEvent.objects.get(flag=flag, kind=EventKind.PAUSED)
    assert not paused.is_internal and paused.body == "Send us the failing order numbers."

    # The client answers on Monday 16 Nov 10:00: 22 business hours from then = Mon 7 + Tue 8 + Wed 09-16.
    flag = services.flag_client_reply(
        flag=flag, by=client_key_user, body="Orders 1001-1004.", now=warsaw(2026, 11, 16, 10)
    )
    assert flag.status == FlagStatus.ACKNOWLEDGED
    assert flag.resolve_due_at == warsaw(2026, 11, 18, 16)
    # Paused from Tuesday 12:00 to Monday 10:00: Tue 5 h + Wed, Thu, Fri 24 h + Mon 1 h = 30 business hours.
    assert flag.paused_total == timedelta(hours=30)
    assert flag.pauses.get().ended_at == warsaw(2026, 11, 16, 10)


def test_a_quiet_flag_reminds_its_owner_then_escalates(engagement, client_key_user, pm, csm):
    flag = raise_flag(engagement, client_key_user)
    services.flag_acknowledge(flag=flag, by=pm, now=warsaw(2026, 11, 10, 11))
    # Update due Wednesday 11:00, reminder at 80 % = Wednesday 09:24.
    services.escalation_sweep(now=warsaw(2026, 11, 11, 9, 30))
    assert recipients(f"warn:{flag.pk}:1:1:update") == {pm.email}
    quiet = FlagEvent.objects.get(flag=flag, kind=EventKind.QUIET)
    assert quiet.is_internal
    services.escalation_sweep(now=warsaw(2026, 11, 11, 11, 0, 1))
    flag.refresh_from_db()
    assert flag.level == 2 and flag.owner == csm
    assert Escalation.objects.get(flag=flag).reason == EscalationReason.QUIET
    # The new level has a full update interval: 8 business hours from 11:00:01 = Thursday 11:00:01.
    assert flag.update_due_at == warsaw(2026, 11, 12, 11, 0, 1)


def test_an_update_keeps_the_flag_from_going_quiet(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user)
    services.flag_acknowledge(flag=flag, by=pm, now=warsaw(2026, 11, 10, 11))
    services.flag_post_update(flag=flag, by=pm, body="We found the broken job.", now=warsaw(2026, 11, 11, 9))
    flag.refresh_from_db()
    assert flag.update_due_at == warsaw(2026, 11, 11, 17)  # 8 business hours from Wednesday 09:00
    assert recipients(f"redflag:{flag.pk}:update") == {client_key_user.email}
    services.flag_post_update(
        flag=flag, by=pm, body="Internal: vendor bug", internal=True, now=warsaw(2026, 11, 11, 10)
    )
    assert FlagEvent.objects.get(flag=flag, kind=EventKind.NOTE).is_internal
    assert not FlagEvent.objects.visible_to(client_key_user).filter(flag=flag, kind=EventKind.NOTE).exists()


def test_resolution_closes_itself_unless_the_client_acts(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user)
    flag = services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))
    assert flag.status == FlagStatus.RESOLVED and flag.auto_close_at == warsaw(2026, 11, 15, 12)
    assert flag.first_response_at == warsaw(2026, 11, 10, 12)
    assert services.escalation_sweep(now=warsaw(2026, 11, 15, 11)) == 0
    assert services.escalation_sweep(now=warsaw(2026, 11, 15, 12)) == 1
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED and flag.closed_at == warsaw(2026, 11, 15, 12)
    assert FlagEvent.objects.filter(flag=flag, kind=EventKind.AUTO_CLOSED).count() == 1


def test_the_client_confirms_or_reopens(engagement, client_key_user, client_member, pm):
    flag = raise_flag(engagement, client_key_user)
    services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))
    with pytest.raises(PermissionDenied):
        services.flag_confirm(flag=flag, by=client_member)  # neither reporter, follower nor key user
    flag = services.flag_reopen(flag=flag, by=client_key_user, reason="Still failing.", now=warsaw(2026, 11, 10, 13))
    assert (flag.status, flag.cycle, flag.level) == (FlagStatus.REOPENED, 2, 1)
    assert flag.resolved_at is None and flag.ack_due_at == warsaw(2026, 11, 10, 17)
    services.flag_resolve(flag=flag, by=pm, resolution="Root cause fixed.", now=warsaw(2026, 11, 11, 9))
    flag = services.flag_confirm(flag=flag, by=client_key_user, now=warsaw(2026, 11, 11, 10))
    assert flag.status == FlagStatus.CLOSED and flag.confirmed_by == client_key_user and flag.next_due_at is None


def test_the_key_user_marks_a_duplicate_and_its_reporter_follows_the_original(
    engagement, client_key_user, client_member, pm
):
    original = raise_flag(engagement, client_key_user)
    report = raise_flag(engagement, client_member, title="Warehouse gets no orders")
    with pytest.raises(PermissionDenied):
        services.flag_mark_duplicate(flag=report, of=original, by=client_member)
    services.flag_mark_duplicate(flag=report, of=original, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    report.refresh_from_db()
    assert report.status == FlagStatus.DUPLICATE and report.duplicate_of == original and report.next_due_at is None
    assert set(original.followers.values_list("user", flat=True)) == {client_key_user.pk, client_member.pk}
    services.flag_post_update(flag=original, by=pm, body="Fix deployed.", now=warsaw(2026, 11, 10, 12))
    assert recipients(f"redflag:{original.pk}:update") == {client_key_user.email, client_member.email}


def test_manual_escalation_is_for_the_owner_and_managers(engagement, client_key_user, team_member, pm, csm):
    flag = raise_flag(engagement, client_key_user)
    with pytest.raises(PermissionDenied):
        services.flag_escalate(flag=flag, by=team_member, reason="Too big for us")
    flag = services.flag_escalate(flag=flag, by=pm, reason="Needs a budget decision", now=warsaw(2026, 11, 10, 11))
    assert flag.level == 2 and flag.owner == csm
    assert Escalation.objects.get(flag=flag).reason == EscalationReason.MANUAL


def test_a_flag_raised_before_the_deadline_of_a_broken_path_backs_off_without_blocking(engagement, client_key_user):
    broken = raise_flag(engagement, client_key_user)
    fine = raise_flag(engagement, client_key_user, title="Second")
    RedFlag.objects.filter(pk=broken.pk).update(level=9)  # a level the path does not have
    services.escalation_sweep(now=warsaw(2026, 11, 10, 14, 1))
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert fine.level == 2
    assert broken.sweep_attempts == 1 and "no level 9" in broken.sweep_error
    assert broken.next_due_at == warsaw(2026, 11, 10, 14, 2)


def test_raised_at_uses_the_clock_of_the_call(engagement, client_key_user):
    flag = raise_flag(engagement, client_key_user, now=TUESDAY_10)
    assert flag.raised_at == TUESDAY_10
