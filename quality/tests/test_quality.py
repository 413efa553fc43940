"""Quality reports: drafts, publishing (told to the client's people once), recorded corrections, who sees what, and
pages whose query counts do not grow with the reports."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Notification
from quality import selectors, services
from quality.models import QualityReport, ReportStatus
from quality.tests.factories import QualityReportFactory

pytestmark = pytest.mark.django_db

FIGURES = {
    "period_start": date(2026, 11, 2),
    "period_end": date(2026, 11, 15),
    "pass_rate": Decimal("94.0"),
    "critical_defects": 1,
    "high_defects": 3,
    "normal_defects": 7,
    "low_defects": 12,
    "comment": "Two flaky tests in the invoice export.",
}


def test_staff_write_a_draft_that_the_client_cannot_see(pm, engagement, client_key_user, uploads):
    upload = SimpleUploadedFile("report.txt", b"All green.\n", content_type="text/plain")
    report = services.report_create(by=pm, engagement=engagement, upload=upload, **FIGURES)
    assert report.status == ReportStatus.DRAFT
    assert report.attachment.original_name == "report.txt"
    assert report.open_defects == 23
    assert not QualityReport.objects.visible_to(client_key_user).exists()


def test_publishing_tells_the_clients_people_once(pm, engagement, client_key_user, client_member, other_client_user):
    report = services.report_create(by=pm, engagement=engagement, **FIGURES)
    services.report_publish(by=pm, report=report)
    recipients = set(Notification.objects.filter(category="quality").values_list("recipient_id", flat=True))
    assert recipients == {client_key_user.pk, client_member.pk}
    assert QualityReport.objects.visible_to(client_key_user).get() == report
    with pytest.raises(ValidationError, match="already published"):
        services.report_publish(by=pm, report=report)
    assert Notification.objects.filter(category="quality").count() == 4  # two people, email and in-app, once


def test_only_the_engagements_managers_write(team_member, executive, engagement):
    for person in (team_member, executive):
        with pytest.raises(PermissionDenied):
            services.report_create(by=person, engagement=engagement, **FIGURES)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"pass_rate": Decimal("100.5")}, "pass_rate", "less than or equal to 100"),
        ({"pass_rate": Decimal("-1")}, "pass_rate", "greater than or equal to 0"),
        ({"period_end": date(2026, 11, 1)}, "period_end", "cannot end before it starts"),
    ],
)
def test_bad_figures_are_refused_in_words_and_change_nothing(pm, engagement, changes, field, words):
    with pytest.raises(ValidationError) as caught:
        services.report_create(by=pm, engagement=engagement, **{**FIGURES, **changes})
    assert words in " ".join(caught.value.message_dict[field])
    assert not QualityReport.objects.exists()


def test_a_published_report_is_corrected_only_with_a_recorded_reason(pm, engagement):
    report = services.report_create(by=pm, engagement=engagement, **FIGURES)
    services.report_publish(by=pm, report=report)
    with pytest.raises(ValidationError, match="correct it and say why"):
        services.report_update(by=pm, report=report, pass_rate=Decimal("95"))
    with pytest.raises(ValidationError) as caught:
        services.report_correct(by=pm, report=report, reason=" ", pass_rate=Decimal("95"))
    assert "Say why" in caught.value.message_dict["reason"][0]
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.report_correct(by=pm, report=report, reason="Typo", **FIGURES)
    correction = services.report_correct(
        by=pm, report=report, reason="Two tests were counted twice.", pass_rate=Decimal("96.0")
    )
    report.refresh_from_db()
    assert report.pass_rate == Decimal("96.0")
    assert correction.previous == {"pass_rate": "94.0"}
    assert correction.corrected_by == pm


def test_a_draft_is_edited_not_corrected(pm, engagement):
    report = services.report_create(by=pm, engagement=engagement, **FIGURES)
    services.report_update(by=pm, report=report, comment="Better words.")
    assert QualityReport.objects.get().comment == "Better words."
    with pytest.raises(ValidationError, match="edited, not corrected"):
        services.report_correct(by=pm, report=report, reason="x", comment="Other")


def test_the_trend_runs_oldest_to_newest_per_engagement(engagement):
    older = QualityReportFactory(
        engagement=engagement, published=True, period_end=date(2026, 10, 31), pass_rate=Decimal("80")
    )
    newer = QualityReportFactory(
        engagement=engagement, published=True, period_end=date(2026, 11, 14), pass_rate=Decimal("90")
    )
    (trend,) = selectors.pass_rate_trends([newer, older])
    assert trend.reports == [older, newer]
    assert trend.change == Decimal("10")
    (x1, y1, _r1), (x2, y2, _r2) = trend.points
    assert x1 < x2 and y2 < y1  # later to the right, a higher rate higher up


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_client_reads_published_reports_and_never_a_draft(client, engagement, client_key_user):
    published = QualityReportFactory(engagement=engagement, published=True, comment="Published words")
    draft = QualityReportFactory(engagement=engagement, comment="Draft words")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:quality_reports"))
    assert reverse("portal:quality_report", args=[published.pk]) in page.text
    assert reverse("portal:quality_report", args=[draft.pk]) not in page.text
    assert "Published words" in client.get(reverse("portal:quality_report", args=[published.pk])).text
    assert client.get(reverse("portal:quality_report", args=[draft.pk])).status_code == 404


def test_another_clients_report_and_its_file_answer_404(client, other_engagement, client_key_user, uploads):
    upload = SimpleUploadedFile("report.txt", b"All green.\n", content_type="text/plain")
    report = services.report_create(by=other_engagement.csm, engagement=other_engagement, upload=upload, **FIGURES)
    services.report_publish(by=other_engagement.csm, report=report)
    client.force_login(client_key_user)
    for name in ("portal:quality_report", "portal:quality_report_attachment"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert reverse("portal:quality_report", args=[report.pk]) not in client.get(reverse("portal:quality_reports")).text


def test_staff_publish_and_correct_through_the_pages(client, pm, engagement, client_key_user):
    client.force_login(pm)
    response = client.post(
        reverse("quality:report_create", args=[engagement.pk]),
        {**FIGURES, "pass_rate": "94.0"},
    )
    report = QualityReport.objects.get()
    assert response.status_code == 302
    client.post(reverse("quality:report_publish", args=[report.pk]))
    client.post(
        reverse("quality:report_edit", args=[report.pk]),
        {**FIGURES, "pass_rate": "97.5", "reason": "A rerun fixed two tests."},
    )
    page = client.get(reverse("quality:report", args=[report.pk])).text
    assert "97.5" in page and "A rerun fixed two tests." in page
    client.force_login(client_key_user)
    assert "A rerun fixed two tests." in client.get(reverse("portal:quality_report", args=[report.pk])).text


def test_a_bad_pass_rate_on_the_page_is_explained_and_saves_nothing(client, pm, engagement):
    client.force_login(pm)
    response = client.post(reverse("quality:report_create", args=[engagement.pk]), {**FIGURES, "pass_rate": "120"})
    assert response.status_code == 200
    assert "less than or equal to 100" in response.text
    assert not QualityReport.objects.exists()


def _reports(engagement, n):
    for i in range(n):
        QualityReportFactory(engagement=engagement, published=True, critical_defects=i % 2)
    QualityReportFactory(engagement=engagement)


@pytest.mark.parametrize(
    ("persona", "url_name", "with_pk"),
    [
        ("client_key_user", "portal:quality_reports", False),
        ("client_key_user", "portal:quality_report", True),
        ("pm", "quality:engagement_reports", "engagement"),
        ("pm", "quality:report", True),
    ],
)
def test_report_pages_run_the_same_queries_at_two_sizes(
    request, client, page_queries, engagement, persona, url_name, with_pk
):
    client.force_login(request.getfixturevalue(persona))

    def url():
        if with_pk == "engagement":
            return reverse(url_name, args=[engagement.pk])
        if with_pk:
            return reverse(url_name, args=[QualityReport.objects.published().first().pk])
        return reverse(url_name)

    _reports(engagement, 2)
    small = page_queries(client, url())
    _reports(engagement, 8)
    report = QualityReport.objects.published().first()
    from quality.models import QualityReportCorrection

    for i in range(3):
        QualityReportCorrection.objects.create(
            report=report, reason=f"fix {i}", previous={"pass_rate": "90"}, corrected_by=engagement.pm
        )
    assert page_queries(client, url()) == small
