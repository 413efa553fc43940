"""The pages: they render for the right people, act through the services, and run a number of queries that does not
grow with flags, timeline lines or action-plan steps (each measured at two sizes)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalations import services
from escalations.models import EventKind, FlagStatus, RedFlag, StepSide

from .factories import OnCallRotaFactory, OnCallShiftFactory, raise_flag

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def _busy_flag(engagement, key_user, pm, *, lines: int):
    flag = raise_flag(engagement, key_user, now=timezone.now())
    for n in range(lines):
        services.flag_post_update(flag=flag, by=pm, body=f"Update {n}")
        services.flag_post_update(flag=flag, by=pm, body=f"Note {n}", internal=True)
        services.flag_client_reply(flag=flag, by=key_user, body=f"Reply {n}")
        services.step_add(
            flag=flag,
            by=pm,
            title=f"Step {n}",
            owner_side=StepSide.CLIENT if n % 2 else StepSide.VENDOR,
            owner=key_user if n % 2 else pm,
            due_on=timezone.localdate() + timedelta(days=n + 1),
            risk="Orders stay lost",
        )
    return flag


def test_the_flag_list_runs_the_same_queries_for_few_and_many_flags(client, engagement, client_key_user, pm):
    client.force_login(pm)
    url = reverse("escalations:flag_list") + "?status=all"
    for _ in range(2):
        raise_flag(engagement, client_key_user, now=timezone.now())
    few = queries(client, url)
    for _ in range(10):
        raise_flag(engagement, client_key_user, now=timezone.now())
    assert queries(client, url) == few


def test_the_flag_page_runs_the_same_queries_for_short_and_long_timelines(client, engagement, client_key_user, pm):
    short = _busy_flag(engagement, client_key_user, pm, lines=1)
    long = _busy_flag(engagement, client_key_user, pm, lines=8)
    client.force_login(pm)
    assert queries(client, reverse("escalations:flag", args=[short.pk])) == queries(
        client, reverse("escalations:flag", args=[long.pk])
    )
    client.force_login(client_key_user)
    assert queries(client, reverse("portal:flag", args=[short.pk])) == queries(
        client, reverse("portal:flag", args=[long.pk])
    )
    assert queries(client, reverse("portal:flags")) == queries(client, reverse("portal:flags"))


def test_the_portal_lists_run_the_same_queries_for_few_and_many_flags(client, engagement, client_key_user, pm):
    client.force_login(client_key_user)
    _busy_flag(engagement, client_key_user, pm, lines=1)
    few = [queries(client, reverse(name)) for name in ("portal:flags", "portal:sla")]
    for _ in range(6):
        _busy_flag(engagement, client_key_user, pm, lines=2)
    assert [queries(client, reverse(name)) for name in ("portal:flags", "portal:sla")] == few


def test_the_staff_page_shows_internal_notes_and_the_portal_does_not(client, engagement, client_key_user, pm):
    flag = _busy_flag(engagement, client_key_user, pm, lines=1)
    client.force_login(pm)
    staff_page = client.get(reverse("escalations:flag", args=[flag.pk])).content.decode()
    assert "Note 0" in staff_page and "Update 0" in staff_page
    client.force_login(client_key_user)
    portal_page = client.get(reverse("portal:flag", args=[flag.pk])).content.decode()
    assert "Update 0" in portal_page and "Note 0" not in portal_page
    assert "Reply 0" in portal_page


def test_a_client_raises_a_complaint_with_an_attachment(client, engagement, client_key_user, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flags")).content.decode()
    assert "Raise a complaint" in page and "How we escalate" in page
    response = client.post(
        reverse("portal:flag_raise"),
        {
            "engagement": engagement.pk,
            "title": "Invoices are wrong",
            "description": "The November invoice charges twice.",
            "category": "billing",
            "severity": "high",
            "files": [SimpleUploadedFile("list.txt", b"order 1\norder 2\n", content_type="text/plain")],
        },
    )
    flag = RedFlag.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:flag", args=[flag.pk])
    assert flag.attachments.get().attachment.original_name == "list.txt"
    download = client.get(reverse("portal:flag_attachment", args=[flag.attachments.get().pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_bad_upload_raises_nothing(client, engagement, client_key_user):
    client.force_login(client_key_user)
    response = client.post(
        reverse("portal:flag_raise"),
        {
            "engagement": engagement.pk,
            "title": "Invoices are wrong",
            "description": "Twice.",
            "category": "billing",
            "severity": "high",
            "files": [SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")],
        },
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert not RedFlag.objects.exists()


def test_the_team_works_a_flag_from_its_page(client, engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user, now=timezone.now())
    client.force_login(pm)
    client.post(reverse("escalations:flag_acknowledge", args=[flag.pk]), {"level": 1})
    client.post(reverse("escalations:flag_pause", args=[flag.pk]), {"reason": "Which orders?"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.WAITING
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flag", args=[flag.pk])).content.decode()
    assert "Which orders?" in page
    client.post(reverse("portal:flag_reply", args=[flag.pk]), {"body": "1001 and 1002"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    client.force_login(pm)
    client.post(reverse("escalations:flag_resolve", args=[flag.pk]), {"resolution": "Re-sent both."})
    client.force_login(client_key_user)
    client.post(reverse("portal:flag_confirm", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED
    kinds = list(flag.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.RAISED,
        EventKind.ACKNOWLEDGED,
        EventKind.PAUSED,
        EventKind.CLIENT_REPLY,
        EventKind.RESUMED,
        EventKind.RESOLVED,
        EventKind.CONFIRMED,
    ]


def test_a_refused_action_says_why_and_changes_nothing(client, engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user, now=timezone.now())
    client.force_login(pm)
    response = client.post(reverse("escalations:flag_resume", args=[flag.pk]), follow=True)
    assert "not waiting on the client" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_staff_see_sla_figures_and_export_them(client, engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user, now=timezone.now() - timedelta(hours=1))
    services.flag_resolve(flag=flag, by=pm, resolution="Done")
    client.force_login(pm)
    assert client.get(reverse("escalations:sla") + "?scope=engagement").status_code == 200
    csv_response = client.get(reverse("escalations:sla_csv") + "?scope=client")
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("scope,month,severity,flags")
    assert lines[1].startswith("Acme Logistics,")


def test_staff_see_the_rota_and_who_is_on_duty(client, pm, csm):
    rota = OnCallRotaFactory(name="Night line", backup=csm)
    OnCallShiftFactory(rota=rota, person=pm, starts_at=timezone.now() - timedelta(hours=2))
    client.force_login(csm)
    page = client.get(reverse("escalations:rota")).content.decode()
    assert "Night line" in page and "Petra PM" in page


def test_client_side_steps_are_listed_for_the_client(engagement, client_key_user, pm):
    from escalations.selectors import client_action_steps

    flag = _busy_flag(engagement, client_key_user, pm, lines=2)
    assert not client_action_steps(user=client_key_user).exists()  # not agreed yet
    services.plan_agree(flag=flag, by=pm)
    steps = list(client_action_steps(user=client_key_user))
    assert [s.title for s in steps] == ["Step 1"]


def test_staff_pick_the_project_to_raise_a_flag_for(client, engagement, other_engagement, pm, client_member):
    client.force_login(pm)
    page = client.get(reverse("escalations:flag_list")).content.decode()
    assert "Raise for a client" in page and engagement.name in page and other_engagement.name not in page
    start = reverse("escalations:flag_raise_start")
    assert client.get(start, {"engagement": engagement.pk})["Location"] == reverse(
        "escalations:flag_raise", args=[engagement.pk]
    )
    assert client.get(start, {"engagement": other_engagement.pk}).status_code == 404
    response = client.post(
        reverse("escalations:flag_raise", args=[engagement.pk]),
        {
            "title": "Phone call: invoices doubled",
            "description": "The CFO called about duplicated invoices.",
            "category": "billing",
            "severity": "high",
            "reporter": client_member.pk,
        },
    )
    flag = RedFlag.objects.get()
    assert response["Location"] == reverse("escalations:flag", args=[flag.pk])
    assert (flag.raised_by, flag.reporter) == (pm, client_member)


def test_client_side_steps_appear_among_the_clients_tasks(client, engagement, client_key_user, pm):
    flag = _busy_flag(engagement, client_key_user, pm, lines=2)
    client.force_login(client_key_user)
    assert "Step 1" not in client.get(reverse("portal:tasks")).content.decode()  # proposed, not agreed yet
    services.plan_agree(flag=flag, by=pm)
    page = client.get(reverse("portal:tasks")).content.decode()
    assert "Step 1" in page and "Step 0" not in page  # the vendor's step is not the client's task
    assert reverse("portal:flag", args=[flag.pk]) in page
    step = flag.steps.get(title="Step 1")
    services.step_update(step=step, by=client_key_user, status="done", note="Sent.")
    assert 'data-testid="other-task-table"' not in client.get(reverse("portal:tasks")).content.decode()


def test_open_red_flags_put_an_engagement_at_risk_then_off_track(engagement, client_key_user, pm):
    from engagements.health import Health, health_of

    today = timezone.localdate()
    assert health_of(engagement, today=today)[1]["open_red_flags"] == 0
    first = raise_flag(engagement, client_key_user, now=timezone.now())
    health, values = health_of(engagement, today=today)
    assert values["open_red_flags"] == 1 and health in (Health.AT_RISK, Health.OFF_TRACK)
    raise_flag(engagement, client_key_user, now=timezone.now(), title="Second")
    assert health_of(engagement, today=today)[0] == Health.OFF_TRACK
    services.flag_resolve(flag=first, by=pm, resolution="Done")
    assert health_of(engagement, today=today)[1]["open_red_flags"] == 1


def test_the_complaint_form_picks_files_in_the_readers_language(client, engagement, client_key_user):
    client_key_user.language = "pl"
    client_key_user.save(update_fields=["language"])
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flag_raise")).content.decode()
    assert 'type="file" name="files"' in page and "multiple" in page
    assert ">Wybierz pliki</label>" in page and ">Nie wybrano pliku</span>" in page
    # Crispy's bare file input (the browser's own English button) is gone.
    assert 'class="form-control" multiple' not in page and "file-picker-input" in page


def test_the_complaint_form_leads_back_to_the_complaints_in_its_breadcrumb(client, engagement, client_key_user):
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flag_raise")).content.decode()
    trail = page.split('data-testid="breadcrumbs">')[1].split("</ol>")[0]
    assert f'href="{reverse("portal:flags")}"' in trail and 'aria-current="page">Raise a complaint<' in trail


# The client thinks in complaints, the team in red flags: the client's word, and never the team's, in each language.
COMPLAINT_WORDS = {"en": ("complaint", "red flag"), "pl": ("skarg", "flag"), "de": ("Beschwerde", "Red Flag")}


@pytest.mark.parametrize("language", sorted(COMPLAINT_WORDS))
def test_the_complaint_form_speaks_of_a_complaint_from_heading_to_confirmation(
    client, engagement, client_key_user, language
):
    complaint, red_flag = COMPLAINT_WORDS[language]
    client_key_user.language = language
    client_key_user.save(update_fields=["language"])
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flag_raise")).content.decode()
    heading = page.split('<h1 class="h3">')[1].split("</h1>")[0]
    current = page.split('data-testid="breadcrumbs">')[1].split('aria-current="page">')[1].split("<")[0]
    button = page.split('name="submit"')[1].split('value="')[1].split('"')[0]
    response = client.post(
        reverse("portal:flag_raise"),
        {
            "engagement": engagement.pk,
            "title": "Invoices are wrong",
            "description": "The November invoice charges twice.",
            "category": "billing",
            "severity": "high",
        },
        follow=True,
    )
    [confirmation] = [str(message) for message in response.context["messages"]]
    for text in (heading, current, button, confirmation):
        assert complaint.lower() in text.lower() and red_flag.lower() not in text.lower(), (language, text)


def test_the_list_sorts_by_the_nearest_deadline_and_marks_breaches_and_warnings(client, engagement, pm):
    from escalations.models import Severity

    from .factories import RedFlagFactory

    now = timezone.now()
    later = RedFlagFactory(engagement=engagement, severity=Severity.CRITICAL, ack_due_at=now + timedelta(hours=5))
    breached = RedFlagFactory(engagement=engagement, severity=Severity.NORMAL, resolve_due_at=now - timedelta(hours=1))
    soon = RedFlagFactory(
        engagement=engagement,
        severity=Severity.NORMAL,
        ack_due_at=now + timedelta(minutes=30),
        ack_warn_at=now - timedelta(minutes=10),
    )
    none = RedFlagFactory(engagement=engagement, severity=Severity.CRITICAL)
    client.force_login(pm)
    page = client.get(reverse("escalations:flag_list")).content.decode()
    rows = [page.index(f'data-testid="flag-row-{flag.pk}"') for flag in (breached, soon, later, none)]
    assert rows == sorted(rows)
    row = lambda flag: page.split(f'data-testid="flag-row-{flag.pk}"')[1].split("</tr>")[0]  # noqa: E731
    assert 'class="table-danger"' in row(breached) and "breached" in row(breached)
    assert 'class="table-warning"' in row(soon) and "due soon" in row(soon)
    assert "table-" not in row(later).split(">")[0] and "breached" not in row(later)


def test_the_engagement_health_links_to_its_red_flags(client, engagement, pm):
    from .factories import RedFlagFactory

    RedFlagFactory(engagement=engagement)
    client.force_login(pm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    link = page.split('data-testid="health-red-flags"')[0].rsplit("<a ", 1)[1]
    assert f"/red-flags/?status=open&amp;engagement={engagement.pk}" in link or f"engagement={engagement.pk}" in link
