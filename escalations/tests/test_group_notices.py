"""A burst of escalations of one engagement and level tells each person once: one notice for the group above
``ESCALATIONS_GROUP_NOTICES_ABOVE``, one per flag at or below it; every escalation is told of exactly once."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from escalations import services
from escalations.models import Escalation, EventKind, FlagEvent, RedFlag, Severity
from notifications.models import Notification, NotificationFanout
from notifications.services import fanout_expand

from .factories import raise_flag, warsaw
from .invariants import escalations_without_notifications, group_notices_not_matching

pytestmark = pytest.mark.django_db

LATE = warsaw(2026, 11, 10, 11, 1)  # every critical flag missed its 1-hour acknowledgement at 11:00


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.ESCALATIONS_GROUP_NOTICES_ABOVE = 3


def _raise(engagement, by, count):
    return [raise_flag(engagement, by, severity=Severity.CRITICAL, title=f"Complaint {n}") for n in range(1, count + 1)]


def _subjects(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app", event__contains="escalat")
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def test_more_than_the_threshold_tells_each_person_once_with_the_first_titles(
    client, engagement, client_key_user, csm, pm
):
    flags = _raise(engagement, client_key_user, 7)
    assert services.escalation_sweep(now=LATE) == 7
    escalations = list(Escalation.objects.order_by("pk"))
    event = f"escalations-group:{engagement.pk}:2:acknowledge:{escalations[0].pk}"
    # Each flag still has its escalation and its client-visible timeline line; the notice covers all of them.
    assert len(escalations) == 7 and {e.notice_event for e in escalations} == {event}
    assert FlagEvent.objects.filter(kind=EventKind.ESCALATED, is_internal=False).count() == 7
    assert set(NotificationFanout.objects.filter(event__contains="escalat").values_list("event", flat=True)) == {
        f"{event}:staff",
        f"{event}:client:{client_key_user.pk}",
    }
    assert fanout_expand(now=LATE) == 2
    assert escalations_without_notifications() == [] and group_notices_not_matching() == []
    level_name = RedFlag.objects.get(pk=flags[0].pk).path.levels.get(position=2).name
    assert _subjects(csm) == [f"7 red flags of Warehouse rollout moved to level 2 — {level_name}"]
    assert _subjects(pm) == _subjects(csm)
    assert _subjects(client_key_user) == ["7 of your complaints moved to level 2"]
    staff = Notification.objects.get(recipient=csm, channel="in_app", event=f"{event}:staff")
    assert staff.url.endswith(f"?engagement={engagement.pk}&level=2")
    assert staff.context["titles"] == [f"Complaint {n}" for n in range(1, 6)] and staff.context["more"] == 2
    mail = Notification.objects.get(recipient=client_key_user, channel="email", event__startswith=event)
    assert mail.context["count"] == 7
    text = render_to_string("escalations/email/flag.txt", {**mail.context, "link": mail.url})
    assert "- Complaint 5" in text and "Complaint 6" not in text and "and 2 more" in text
    # The links open the flags the notice is about: the staff's filtered list, the client's complaints.
    client.force_login(csm)
    assert all(f"Complaint {n}" in client.get(staff.url).content.decode() for n in range(1, 8))
    client.force_login(client_key_user)
    assert all(f"Complaint {n}" in client.get(mail.url).content.decode() for n in range(1, 8))


def test_at_the_threshold_each_flag_has_its_own_notice(engagement, client_key_user, csm):
    _raise(engagement, client_key_user, 3)
    assert services.escalation_sweep(now=LATE) == 3
    assert not Escalation.objects.exclude(notice_event=None).exists()
    events = NotificationFanout.objects.values_list("event", flat=True)
    assert sum(e.startswith("escalation:") for e in events) == 3 * 2
    assert not any(e.startswith("escalations-group:") for e in events)
    fanout_expand(now=LATE)
    assert escalations_without_notifications() == [] and group_notices_not_matching() == []
    assert len(_subjects(csm)) == 3 and all(s.startswith("Red flag escalated to level 2") for s in _subjects(csm))


def test_a_rerun_or_racing_sweep_writes_the_group_notice_once(engagement, client_key_user):
    flags = _raise(engagement, client_key_user, 5)
    services.escalation_sweep(now=LATE)
    fanouts = set(NotificationFanout.objects.values_list("event", flat=True))
    # A racing sweep that read the flags before the first one moved them: the same flags due at level 1 again.
    before = RedFlag.objects.get(pk=flags[0].pk)
    RedFlag.objects.filter(pk__in=[f.pk for f in flags]).update(level=1, ack_due_at=LATE, next_due_at=LATE)
    assert services.escalation_sweep(now=LATE) == 5
    assert Escalation.objects.count() == 5
    assert set(NotificationFanout.objects.values_list("event", flat=True)) == fanouts
    assert RedFlag.objects.get(pk=flags[0].pk).level == before.level
    fanout_expand(now=LATE)
    assert escalations_without_notifications() == [] and group_notices_not_matching() == []
    assert Notification.objects.filter(event__startswith="escalations-group:", channel="in_app").count() == 3


def test_one_batch_runs_the_same_queries_for_a_small_and_a_large_group(engagement, client_key_user):
    def queries(count):
        _raise(engagement, client_key_user, count)
        with CaptureQueriesContext(connection) as captured:
            assert services.escalation_sweep_batch(now=LATE) == count
        RedFlag.objects.all().delete()
        NotificationFanout.objects.all().delete()
        return sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])

    assert queries(4) == queries(12)


@pytest.mark.parametrize(
    ("count", "staff", "client"),
    [
        (1, "1 czerwona flaga w projekcie Alfa przeszła", "1 z Twoich skarg przeszła"),
        (2, "2 czerwone flagi w projekcie Alfa przeszły", "2 z Twoich skarg przeszły"),
        (5, "5 czerwonych flag w projekcie Alfa przeszło", "5 z Twoich skarg przeszło"),
        (22, "22 czerwone flagi w projekcie Alfa przeszły", "22 z Twoich skarg przeszły"),
    ],
)
def test_the_polish_subjects_count_in_three_forms(count, staff, client):
    context = {"count": count, "engagement_name": "Alfa", "level": 2, "level_name": "Delivery manager"}
    with translation.override("pl"):
        staff_subject = render_to_string("escalations/email/flag_subject.txt", {**context, "kind": "escalated_group"})
        client_subject = render_to_string(
            "escalations/email/flag_subject.txt", {**context, "kind": "escalated_group_client"}
        )
    assert staff_subject.startswith(f"{staff} na poziom 2")
    assert client_subject.startswith(f"{client} na poziom 2")
