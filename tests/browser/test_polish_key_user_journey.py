"""Issue 11's final journey: a Polish client key user on a phone (390×844, a Polish browser) does everything the portal
is for, in order, through the pages alone: logs in and reads the home; completes a task and accepts the stage it
held back; reads the shared minutes and acknowledges a delivered document; raises a complaint, follows it, reads the
SLA figures and a quality report; downloads the document; switches the portal to English.

Every label is taken from the project's Polish catalogue (``pl``), so the test fails when a page's text is not
translated. Each page is checked with axe and for sideways scrolling (``checked``), and each action is checked in
the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, override
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from attachments.services import attachment_store
from checklists.models import ChecklistItem, ItemStatus, StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.models import DocumentAcknowledgement
from documents.tests.factories import DocumentFactory, DocumentVersionFactory
from engagements.tests.factories import StakeholderFactory
from escalations.models import RedFlag
from governance.models import MinutesAcknowledgement
from governance.services.minutes import minutes_publish
from governance.tests.factories import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory, OutcomeFactory
from quality.tests.factories import QualityReportFactory
from tests.browser.helpers import axe_violations, screenshot
from tests.browser.test_phone_width import SIDEWAYS

PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A phone whose browser asks for Polish: even the login form speaks it.
    pytest.mark.browser_context_args(viewport=PHONE, locale="pl-PL"),
]

# A user manual as delivered (a real PDF header and trailer, so the upload check accepts it as a PDF).
MANUAL = b"%PDF-1.4\n% Instrukcja magazyniera: przyjecie dostawy, kompletacja, inwentaryzacja.\n%%EOF\n"


def pl(text: str) -> str:
    """The Polish the user sees, from the project's own catalogue (the test follows the translation)."""
    with override("pl"):
        return gettext(text)


def checked(page, name: str) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(SIDEWAYS) == []
    screenshot(page, f"pl-journey-{name}")


def open_section(page, label: str) -> None:
    """A portal section from the main navigation, collapsed behind its toggler on a phone."""
    nav = page.get_by_role("navigation", name=pl("Main navigation"))
    link = nav.get_by_role("link", name=pl(label), exact=True)
    if not link.is_visible():
        nav.get_by_role("button", name=pl("Toggle navigation")).click()
    link.click()


@pytest.fixture
def polish_client(client_org, engagement, client_key_user, pm, uploads):
    """The key user's project with something for every step, its content in Polish: a stage awaiting acceptance
    that waits on one client task, shared minutes, a delivered manual and a published quality report."""
    client_org.name = "Bałtyk Logistyka sp. z o.o."
    client_org.save(update_fields=["name"])
    client_key_user.full_name = "Katarzyna Nowak"
    client_key_user.language = "pl"
    client_key_user.time_zone = "Europe/Warsaw"
    client_key_user.save(update_fields=["full_name", "language", "time_zone"])
    engagement.name = "Wdrożenie systemu magazynowego"
    engagement.description = "Trzy magazyny, skanery i połączenie z ERP."
    engagement.kickoff_on = timezone.localdate() - timedelta(days=12)
    engagement.target_go_live_on = timezone.localdate() + timedelta(days=75)
    engagement.save(update_fields=["name", "description", "kickoff_on", "target_go_live_on"])
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)

    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Przygotowanie środowisk")
    ChecklistItemFactory(stage=stage, title="Skonfigurować środowisko testowe", done=True)
    ChecklistItemFactory(
        stage=stage, title="Przekazać listę użytkowników magazynu", client_side=True, assignee=client_key_user
    )

    now = timezone.now().replace(microsecond=0)
    series = MeetingSeriesFactory(engagement=engagement, name="Cotygodniowy status projektu")
    meeting = MeetingFactory(
        series=series, starts_at=now - timedelta(days=2), agenda_prepared_at=now - timedelta(days=3)
    )
    topic = AgendaItemFactory(
        meeting=meeting, title="Stan środowisk", minutes="Środowisko testowe działa; skanery dotrą w piątek."
    )
    OutcomeFactory(agenda_item=topic, text="Termin uruchomienia bez zmian: 1 czerwca.")
    minutes_publish(by=pm, meeting=meeting, now=now)

    manual = DocumentFactory(engagement=engagement, title="Instrukcja magazyniera", description="Przyjęcie dostawy.")
    version = DocumentVersionFactory(
        document=manual,
        label="1.0",
        notes="Pierwsze wydanie.",
        published=True,
        attachment=attachment_store(
            uploaded_file=SimpleUploadedFile("instrukcja-magazyniera.pdf", MANUAL, content_type="application/pdf"),
            by=manual.created_by,
        ),
    )

    report = QualityReportFactory(
        engagement=engagement,
        published=True,
        period_start=timezone.localdate() - timedelta(days=16),
        period_end=timezone.localdate() - timedelta(days=3),
        pass_rate=Decimal("96.4"),
        critical_defects=0,
        high_defects=1,
        comment="Testy regresji przechodzą poza eksportem faktur korygujących.",
    )
    return {"stage": stage, "meeting": meeting, "version": version, "report": report}


def test_a_polish_key_user_on_a_phone(page, live_server, client_key_user, engagement, polish_client, uploads):
    stage, meeting, version = polish_client["stage"], polish_client["meeting"], polish_client["version"]
    task = ChecklistItem.objects.get(stage=stage, owner_side="client")
    page.on("dialog", lambda dialog: dialog.accept())  # the page asks before recording a decision

    # 1. The real login form, in Polish; the home speaks Polish and lists what waits on the user.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    checked(page, "1-login")
    page.get_by_label(pl("Email address")).fill(client_key_user.email)
    page.get_by_label(pl("Password")).fill(PASSWORD)
    page.get_by_role("button", name=pl("Log in")).click()
    expect(page.get_by_role("heading", name=pl("Waiting on you"))).to_be_visible()
    expect(page.get_by_text(task.title).first).to_be_visible()
    checked(page, "1-home")

    # 2. The task, marked done from the task list; then the stage it held back, accepted on the onboarding page.
    open_section(page, "Onboarding")
    expect(page.get_by_role("heading", name=engagement.name)).to_be_visible()
    page.get_by_role("link", name=pl("My tasks")).click()
    checked(page, "2-tasks")
    page.get_by_test_id(f"task-{task.pk}").get_by_role("button", name=pl("Mark done")).click()
    expect(page.get_by_text(pl("Thank you, the task is done."))).to_be_visible()
    task.refresh_from_db()
    assert (task.status, task.completed_by) == (ItemStatus.DONE, client_key_user)
    open_section(page, "Onboarding")
    page.get_by_test_id(f"stage-decision-{stage.pk}").get_by_role("button", name=pl("Accept stage")).click()
    expect(page.get_by_test_id(f"stage-accepted-{stage.pk}")).to_be_visible()
    acceptance = StageAcceptance.objects.get(stage=stage)
    assert (acceptance.decision, acceptance.decided_by) == ("accepted", client_key_user)
    assert timezone.now() - acceptance.decided_at < timedelta(minutes=5)
    history = page.get_by_test_id("client-decisions")
    expect(history).to_contain_text(stage.title)
    expect(history).to_contain_text(client_key_user.full_name)
    with override("pl"), timezone.override("Europe/Warsaw"):
        expect(history).to_contain_text(date_format(timezone.localtime(acceptance.decided_at), "SHORT_DATETIME_FORMAT"))
    # The timeline, as a list on a phone, dates the decision too.
    with override("pl"):
        accepted = gettext("%(who)s accepted %(what)s") % {"who": client_key_user.full_name, "what": stage.title}
    expect(page.get_by_test_id("timeline-events-phone")).to_contain_text(accepted)
    checked(page, "2-stage-accepted")

    # 3. The shared minutes, read and confirmed; the delivered manual, its receipt acknowledged.
    open_section(page, "Governance")
    page.get_by_test_id("client-past").get_by_role("link", name=meeting.title).click()
    minutes = page.get_by_test_id("shared-minutes")
    expect(minutes).to_contain_text("Środowisko testowe działa; skanery dotrą w piątek.")
    expect(minutes).to_contain_text("Termin uruchomienia bez zmian: 1 czerwca.")
    page.get_by_role("button", name=pl("I have read these minutes")).click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    assert MinutesAcknowledgement.objects.filter(version__meeting=meeting, user=client_key_user).count() == 1
    checked(page, "3-minutes")
    open_section(page, "Documents")
    page.get_by_role("link", name=version.document.title, exact=True).click()
    page.get_by_role("button", name=pl("Acknowledge receipt")).click()
    expect(page.get_by_test_id("acknowledged-1.0")).to_contain_text(client_key_user.full_name)
    assert DocumentAcknowledgement.objects.filter(version=version).count() == 1
    assert DocumentAcknowledgement.objects.get(version=version).user == client_key_user
    checked(page, "3-document-acknowledged")

    # 4. A complaint, raised and followed; the SLA figures count it; the quality report shows its pass rate.
    open_section(page, "Escalations")
    page.get_by_role("link", name=pl("Raise a complaint")).click()
    page.get_by_label(pl("Title")).fill("Zamówienia nie docierają do magazynu")
    page.get_by_label(pl("What happened?")).fill("Od 07:00 żadne zamówienie ze sklepu nie dotarło do WMS.")
    # The file picker speaks Polish (not the browser's "Choose files"), the keyboard reaches the real input, and
    # the status counts the chosen files in Polish plural forms.
    picker = page.get_by_label(pl("Attachments (optional)"))
    expect(page.get_by_text(pl("Choose files"), exact=True)).to_be_visible()
    status = page.locator(".file-picker-status")
    expect(status).to_have_text(pl("No file chosen"))
    page.get_by_label(pl("Severity")).focus()
    page.keyboard.press("Tab")
    expect(picker).to_be_focused()
    log = uploads / "log.txt"
    log.write_text("07:00 WMS timeout\n")
    screenshot_file = uploads / "wms.txt"
    screenshot_file.write_text("HTTP 504\n")
    picker.set_input_files([str(log), str(screenshot_file)])
    with override("pl"):
        two_files = ngettext("%(count)s file chosen", "%(count)s files chosen", 2) % {"count": 2}
    assert two_files == "Wybrano 2 pliki"
    expect(status).to_have_text(f"{two_files}: log.txt, wms.txt")
    checked(page, "4-raise")
    page.get_by_role("button", name=pl("Send the complaint")).click()
    expect(page.get_by_test_id("flag-level")).to_contain_text("1 / 4")
    # One breadcrumb, above the messages (the red-flag page drew a second one below them).
    expect(page.locator("ol.breadcrumb")).to_have_count(1)
    expect(page.get_by_role("link", name="wms.txt")).to_be_visible()
    flag = RedFlag.objects.get(engagement=engagement, title__startswith="Zamówienia")
    assert flag.raised_by == client_key_user
    checked(page, "4-flag")
    open_section(page, "Escalations")
    expect(page.get_by_role("link", name=flag.title)).to_be_visible()
    page.get_by_role("link", name=pl("Our service levels")).click()
    expect(page.get_by_test_id("sla-flags")).to_have_text("1")
    checked(page, "4-service-levels")
    open_section(page, "Quality reports")
    page.get_by_test_id("portal-reports").get_by_role("link").first.click()
    expect(page.get_by_test_id("pass-rate")).to_contain_text("96,4")
    expect(page.get_by_test_id("defects").locator(".text-bg-danger")).to_have_count(0)  # no critical defect
    expect(page.get_by_text("Testy regresji przechodzą poza eksportem faktur korygujących.")).to_be_visible()
    checked(page, "4-quality-report")

    # 5. The manual, downloaded from the documents list: the very bytes delivered.
    open_section(page, "Documents")
    with page.expect_download() as download:
        page.get_by_test_id("portal-documents").get_by_role("link", name=pl("Download")).click()
    assert download.value.suggested_filename == "instrukcja-magazyniera.pdf"
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == MANUAL
    checked(page, "5-documents")

    # 6. The switcher turns the portal English, and remembers it.
    page.get_by_test_id("language-switcher").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    client_key_user.refresh_from_db()
    assert client_key_user.language == "en"
    checked(page, "6-english")
