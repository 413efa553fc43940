"""Documents, quality reports and SLA figures: read through the pages' selectors, with query counts at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.tests.factories import DocumentFactory, DocumentVersionFactory
from engagements.tests.factories import EngagementFactory
from escalations.tests.factories import RedFlagFactory
from quality.tests.factories import QualityReportFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_client_reads_delivered_versions_only(api_as, client_key_user, csm, engagement, other_engagement):
    document = DocumentFactory(engagement=engagement)
    delivered = DocumentVersionFactory(document=document, label="1.0", published=True)
    draft = DocumentVersionFactory(document=document, label="1.1")
    undelivered = DocumentFactory(engagement=engagement)
    DocumentVersionFactory(document=undelivered)
    foreign = DocumentFactory(engagement=other_engagement)
    DocumentVersionFactory(document=foreign, published=True)

    client = api_as(client_key_user)
    assert ids(client.get("/api/v1/documents/")) == [document.pk]
    body = client.get(f"/api/v1/documents/{document.pk}/").json()
    assert [v["id"] for v in body["versions"]] == [delivered.pk]
    assert "acknowledged_by" not in body["versions"][0]
    assert client.get(f"/api/v1/documents/{undelivered.pk}/").status_code == 404
    assert client.get(f"/api/v1/documents/{foreign.pk}/").status_code == 404

    staff = api_as(csm).get(f"/api/v1/documents/{document.pk}/").json()
    assert {v["id"] for v in staff["versions"]} == {delivered.pk, draft.pk}


def test_a_client_reads_published_quality_reports_only(api_as, client_key_user, csm, engagement, other_engagement):
    published = QualityReportFactory(engagement=engagement, published=True)
    draft = QualityReportFactory(engagement=engagement)
    foreign = QualityReportFactory(engagement=other_engagement, published=True)
    client = api_as(client_key_user)
    assert ids(client.get("/api/v1/quality-reports/")) == [published.pk]
    assert client.get(f"/api/v1/quality-reports/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/quality-reports/{foreign.pk}/").status_code == 404
    assert client.get(f"/api/v1/quality-reports/{published.pk}/").json()["open_defects"] == 16
    assert set(ids(api_as(csm).get(f"/api/v1/quality-reports/?engagement={engagement.pk}"))) == {
        published.pk,
        draft.pk,
    }


def test_sla_figures_as_the_pages_count_them(api_as, client_key_user, director, engagement, other_engagement):
    RedFlagFactory(engagement=engagement)
    RedFlagFactory(engagement=other_engagement)
    overall = api_as(director).get("/api/v1/sla/").json()
    assert overall["scope"] == "overall" and overall["total"]["flags"] == 2
    per_client = api_as(director).get("/api/v1/sla/", {"scope": "client"}).json()
    assert {row["scope_id"] for row in per_client["rows"]} == {engagement.client_id, other_engagement.client_id}
    # A client user reads their engagements' figures only, per engagement, whatever scope they ask.
    own = api_as(client_key_user).get("/api/v1/sla/", {"scope": "overall"}).json()
    assert own["scope"] == "engagement" and own["total"]["flags"] == 1
    assert {row["scope_id"] for row in own["rows"]} == {engagement.pk}
    assert api_as(client_key_user).get("/api/v1/sla/", {"engagement": other_engagement.pk}).status_code == 404
    assert api_as(director).get("/api/v1/sla/", {"scope": "team"}).status_code == 400


def test_a_token_without_the_documents_scope_reads_none(api_as, csm):
    assert api_as(csm, scopes=["engagements:read"]).get("/api/v1/documents/").status_code == 403
    assert api_as(csm, scopes=["documents:read"]).get("/api/v1/quality-reports/").status_code == 200


def _fill(size, *, csm):
    for _ in range(size):
        engagement = EngagementFactory(csm=csm)
        document = DocumentFactory(engagement=engagement)
        DocumentVersionFactory(document=document, published=True)
        DocumentVersionFactory(document=document)
        QualityReportFactory(engagement=engagement, published=True)
        RedFlagFactory(engagement=engagement)


def _queries(api_as, user, url):
    client = api_as(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    return len(queries), len(body["results"]) if "results" in body else body["total"]["flags"]


@pytest.mark.parametrize("path", ["documents/", "quality-reports/", "sla/", "sla/?scope=engagement"])
def test_queries_do_not_grow_with_the_page(api_as, director, path):
    _fill(2, csm=director)
    small, small_rows = _queries(api_as, director, f"/api/v1/{path}")
    _fill(6, csm=director)
    large, large_rows = _queries(api_as, director, f"/api/v1/{path}")
    assert large_rows > small_rows
    assert small == large, f"{path}: {small} queries for {small_rows} rows, {large} for {large_rows}"
