"""Marking a duplicate: the key user who decides sees what it does and confirms; the kept flag takes the higher
severity (its deadlines recomputed, never later), lists the duplicate's files, and both timelines say so; taking it
back out makes the report a flag of its own again, with deadlines from then, and gives the kept flag its severity
back when the merge raised it and nothing changed it since.

The default path's first level: critical 1 h to acknowledge and 8 h to resolve, high 4 h and 24 h, in Mon-Fri
09:00-17:00 Europe/Warsaw."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from escalations import selectors, services
from escalations.models import EventKind, FlagEvent, FlagStatus, RedFlag, Severity

from .factories import raise_flag, warsaw

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(engagement, client_key_user):
    # High, raised Tuesday 10:00: acknowledge by 14:00, resolve by Friday 10:00.
    return raise_flag(engagement, client_key_user, severity=Severity.HIGH, now=warsaw(2026, 11, 10, 10))


@pytest.fixture
def critical_report(engagement, client_member, uploads):
    return raise_flag(
        engagement,
        client_member,
        severity=Severity.CRITICAL,
        title="Warehouse gets no orders at all",
        now=warsaw(2026, 11, 10, 10, 30),
        files=[SimpleUploadedFile("orders.txt", b"1001\n1002\n", content_type="text/plain")],
    )


def kinds(flag) -> list[str]:
    return list(FlagEvent.objects.filter(flag=flag).order_by("at", "pk").values_list("kind", flat=True))


def test_a_critical_duplicate_raises_the_kept_flag_and_its_deadlines_as_shown(kept, critical_report, client_key_user):
    now = warsaw(2026, 11, 10, 11)
    shown = services.duplicate_consequence(flag=critical_report, of=kept, by=client_key_user, now=now)
    assert (shown.kept, shown.severity, shown.raises_severity, shown.files) == (kept, Severity.CRITICAL, True, 1)
    # Critical from 11:00: acknowledge by 12:00 (before 14:00), resolve by Wednesday 11:00 (before Friday 10:00).
    assert shown.ack_due_at == warsaw(2026, 11, 10, 12) and shown.resolve_due_at == warsaw(2026, 11, 11, 11)
    kept.refresh_from_db()
    assert kept.severity == Severity.HIGH  # looking changes nothing

    services.flag_mark_duplicate(
        flag=critical_report, of=kept, by=client_key_user, expected_severity=shown.severity, now=now
    )
    kept.refresh_from_db()
    assert kept.severity == Severity.CRITICAL and kept.response_target == timedelta(hours=1)
    assert (kept.ack_due_at, kept.resolve_due_at) == (shown.ack_due_at, shown.resolve_due_at)
    assert kept.next_due_at <= kept.ack_due_at
    merged = FlagEvent.objects.get(flag=kept, kind=EventKind.MERGED)
    assert (merged.data["severity_before"], merged.data["severity_after"]) == ("high", "critical")
    assert kinds(critical_report)[-1] == EventKind.DUPLICATE


def test_a_lower_duplicate_leaves_the_kept_flag_as_it_is(engagement, kept, client_key_user):
    report = raise_flag(engagement, client_key_user, severity=Severity.NORMAL, now=warsaw(2026, 11, 10, 10, 30))
    services.flag_mark_duplicate(flag=report, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    kept.refresh_from_db()
    assert (kept.severity, kept.ack_due_at) == (Severity.HIGH, warsaw(2026, 11, 10, 14))


def test_the_duplicates_files_are_listed_on_the_kept_flag_for_the_client_and_the_team(
    client, kept, critical_report, client_key_user, pm
):
    services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    [attached] = critical_report.attachments.all()
    for person, page_name, download in (
        (client_key_user, "portal:flag", "portal:flag_attachment"),
        (pm, "escalations:flag", "escalations:attachment"),
    ):
        assert attached in selectors.flag_page(flag=kept, user=person).attachments
        client.force_login(person)
        page = client.get(reverse(page_name, args=[kept.pk])).content.decode()
        assert "orders.txt" in page and critical_report.title in page
        assert client.get(reverse(download, args=[attached.pk])).status_code == 200


def test_the_portal_shows_the_consequence_before_the_key_user_confirms(client, kept, critical_report, client_key_user):
    client.force_login(client_key_user)
    url = reverse("portal:flag_duplicate", args=[critical_report.pk])
    response = client.get(url, {"original": kept.pk})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="severity-raised"' in page and kept.title in page
    assert 'data-testid="kept-ack-due"' in page and 'data-testid="confirm-duplicate"' in page
    critical_report.refresh_from_db()
    assert critical_report.status == FlagStatus.OPEN
    # A post that did not come from that page is shown the page first.
    response = client.post(url, {"original": kept.pk})
    assert response.status_code == 302 and response["Location"] == f"{url}?original={kept.pk}"
    critical_report.refresh_from_db()
    assert critical_report.status == FlagStatus.OPEN
    # Confirming what was shown, once the flags changed (the kept one is critical no more on the form): refused.
    client.post(url, {"original": kept.pk, "severity": "high"})
    critical_report.refresh_from_db()
    assert critical_report.status == FlagStatus.OPEN
    client.post(url, {"original": kept.pk, "severity": "critical"})
    critical_report.refresh_from_db()
    kept.refresh_from_db()
    assert critical_report.status == FlagStatus.DUPLICATE and kept.severity == Severity.CRITICAL
    page = client.get(reverse("portal:flag", args=[kept.pk])).content.decode()
    assert 'data-testid="event-merged"' in page and "severity raised" in page


def test_a_stale_confirmation_is_refused_in_words(kept, critical_report, client_key_user):
    with pytest.raises(ValidationError, match="changed meanwhile"):
        services.flag_mark_duplicate(
            flag=critical_report, of=kept, by=client_key_user, expected_severity="high", now=warsaw(2026, 11, 10, 11)
        )


def test_unmarking_makes_the_report_a_flag_again_and_gives_the_severity_back(
    client, kept, critical_report, client_key_user
):
    services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    flag = services.flag_unmark_duplicate(flag=critical_report, by=client_key_user, now=warsaw(2026, 11, 10, 13))
    assert (flag.status, flag.duplicate_of, flag.closed_at) == (FlagStatus.OPEN, None, None)
    # Its own critical deadlines, from 13:00.
    assert (flag.ack_due_at, flag.resolve_due_at) == (warsaw(2026, 11, 10, 14), warsaw(2026, 11, 11, 13))
    assert flag.level_acknowledged_at is None and flag.next_due_at is not None
    kept.refresh_from_db()
    assert kept.severity == Severity.HIGH and kept.response_target == timedelta(hours=4)
    assert kinds(flag)[-1] == EventKind.UNMARKED and kinds(kept)[-1] == EventKind.UNMERGED
    assert not selectors.flag_page(flag=kept, user=client_key_user).attachments
    with pytest.raises(ValidationError, match="not marked as a duplicate"):
        services.flag_unmark_duplicate(flag=flag, by=client_key_user, now=warsaw(2026, 11, 10, 14))


def test_unmarking_one_of_two_critical_duplicates_keeps_the_flag_critical(
    engagement, kept, critical_report, client_key_user
):
    second = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL, title="No orders either")
    services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    services.flag_mark_duplicate(flag=second, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11, 5))
    services.flag_unmark_duplicate(flag=critical_report, by=client_key_user, now=warsaw(2026, 11, 10, 12))
    kept.refresh_from_db()
    assert kept.severity == Severity.CRITICAL


def test_only_the_decider_marks_and_unmarks(client, kept, critical_report, client_key_user, client_member):
    with pytest.raises(PermissionDenied):
        services.duplicate_consequence(flag=critical_report, of=kept, by=client_member)
    with pytest.raises(PermissionDenied):
        services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_member)
    services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_key_user, now=warsaw(2026, 11, 10, 11))
    with pytest.raises(PermissionDenied):
        services.flag_unmark_duplicate(flag=critical_report, by=client_member)
    client.force_login(client_member)
    assert client.post(reverse("portal:flag_unmark_duplicate", args=[critical_report.pk])).status_code == 404
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flag", args=[critical_report.pk])).content.decode()
    assert 'data-testid="unmark-duplicate"' in page
    client.post(reverse("portal:flag_unmark_duplicate", args=[critical_report.pk]))
    assert RedFlag.objects.get(pk=critical_report.pk).status == FlagStatus.OPEN


def test_the_owner_reads_what_happened_and_the_reporters_their_words(kept, critical_report, client_key_user):
    from notifications.models import Channel, Notification

    kept.refresh_from_db()
    at = warsaw(2026, 11, 10, 11)
    services.flag_mark_duplicate(flag=critical_report, of=kept, by=client_key_user, now=at)
    rows = Notification.objects.filter(
        event__startswith=f"redflag:{critical_report.pk}:duplicate:", channel=Channel.EMAIL
    )
    owner_row = rows.get(recipient=kept.owner)
    assert owner_row.subject.startswith("A duplicate was merged into:")
    assert owner_row.context["kind"] == "merged"
    assert owner_row.context["duplicate_title"] == "Warehouse gets no orders at all"
    client_rows = rows.exclude(recipient=kept.owner)
    assert client_rows and all(row.context["kind"] == "duplicate" for row in client_rows)
    assert all(row.subject.startswith("Your report now follows another red flag") for row in client_rows)
