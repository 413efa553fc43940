"""Every kind of object the portal reaches: a client key user who tries another client's id (or feed token) gets 404,
and nothing changes; their own answers. One case per kind of object and way in (issue 11, "Safe").

The URL x role matrix (``test_url_access``) walks every URL for every role; this file names the object kinds, so a
kind the portal starts to show gets its line here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.services.feeds import feed_token

pytestmark = pytest.mark.django_db

# (kind, URL name, world key of the object, method)
CASES = [
    ("engagement", "portal:engagement", "engagement", "GET"),
    ("engagement", "portal:project", "engagement", "GET"),
    ("engagement", "portal:work_plan_decision", "engagement", "POST"),
    ("task", "portal:item", "item", "GET"),
    ("task", "portal:item_complete", "item", "POST"),
    ("task", "portal:item_comment", "item", "POST"),
    ("task evidence", "portal:item_evidence", "done_item", "GET"),
    ("stage acceptance", "portal:stage_decision", "stage", "POST"),
    ("satisfaction question", "portal:satisfaction", "satisfaction", "POST"),
    ("meeting", "portal:meeting", "meeting", "GET"),
    ("meeting invitation", "portal:meeting_ics", "meeting", "GET"),
    ("minutes", "portal:minutes_acknowledge", "meeting", "POST"),
    ("decision receipt", "receipts:receipt", "receipt", "GET"),
    ("signed receipt", "receipts:download", "receipt", "GET"),
    ("minutes", "portal:minutes_comment", "meeting", "POST"),
    ("action item", "portal:action_item_complete", "outcome", "POST"),
    ("calendar subscription", "portal:feed_subscribe", "engagement", "POST"),
    ("calendar feed", "governance:feed_revoke", "feed", "POST"),
    ("red flag", "portal:flag", "flag", "GET"),
    ("red flag", "portal:flag_reply", "flag", "POST"),
    ("red flag", "portal:flag_confirm", "flag", "POST"),
    ("red flag", "portal:flag_duplicate", "flag", "POST"),
    ("flag attachment", "portal:flag_attachment", "flag_attachment", "GET"),
    ("plan step", "portal:flag_step_status", "step", "POST"),
    ("notification", "notifications:read", "notification", "POST"),
]


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "django_session" not in q["sql"]
    ]


@pytest.mark.parametrize(("kind", "name", "key", "method"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_another_clients_object_is_not_found(client, world, kind, name, key, method):
    client.force_login(world["personas"]["client_key_user"])
    url = reverse(name, args=[world[f"other_{key}"].pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url) if method == "GET" else client.post(url, {"status": "done", "body": "x"})
    assert response.status_code == 404, f"{kind}: {method} {url} answered {response.status_code}"
    assert _writes(queries.captured_queries) == [], f"{kind}: {method} {url} changed something"


@pytest.mark.parametrize(
    ("kind", "name", "key"), [(k, n, o) for k, n, o, m in CASES if m == "GET"], ids=lambda value: str(value)
)
def test_their_own_object_answers(client, world, kind, name, key):
    client.force_login(world["personas"]["client_key_user"])
    response = client.get(reverse(name, args=[world[key].pk]))
    assert response.status_code == 200, f"{kind}: {response.status_code}"


def test_another_clients_calendar_feed_token_is_not_found(client, world):
    """A feed answers only to its own engagement and token: neither another client's token on our engagement nor
    our token on theirs opens anything."""
    theirs = feed_token(world["other_feed"])
    ours = world["feed_token"]
    for pk, token in ((world["engagement"].pk, theirs), (world["other_engagement"].pk, ours)):
        url = reverse("governance:engagement_feed", kwargs={"pk": pk, "token": token})
        assert client.get(url).status_code == 404, url
    own = reverse("governance:engagement_feed", kwargs={"pk": world["engagement"].pk, "token": ours})
    assert client.get(own).status_code == 200


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("portal:home", "engagement"),
        ("portal:tasks", "item"),
        ("portal:meetings", "meeting"),
        ("portal:action_items", "outcome"),
        ("portal:promises", "promise"),
        ("portal:flags", "flag"),
        ("notifications:centre", "notification"),
    ],
)
def test_lists_never_show_another_clients_rows(client, world, name, key):
    client.force_login(world["personas"]["client_key_user"])
    html = client.get(reverse(name)).content.decode()
    assert world["other_engagement"].name not in html
    for field in ("title", "text", "description", "subject"):
        own, other = getattr(world[key], field, None), getattr(world[f"other_{key}"], field, None)
        if other and own != other:
            assert str(other) not in html, f"{name} shows another client's {key}: {other}"


def test_the_project_page_shows_the_clients_own_people_and_shared_links_only(client, client_key_user, engagement):
    """The client reads their own stakeholders (name, role, contact details) and the links marked for them; how the
    team reads those people and the team's internal links stay vendor-internal, and another client's never show."""
    from engagements.models import Stakeholder
    from engagements.tests.factories import EngagementFactory, ResourceLinkFactory, StakeholderFactory

    StakeholderFactory(
        engagement=engagement,
        name="Ewa Nowak",
        email="ewa@client.example",
        role_title="Head of finance",
        cares_about="Worried about the budget, push her gently",
        involvement="Blocks every decision",
    )
    ResourceLinkFactory(engagement=engagement, title="Sprint board")
    ResourceLinkFactory(engagement=engagement, internal=True)
    elsewhere = EngagementFactory()
    StakeholderFactory(engagement=elsewhere, name="Someone Else")
    ResourceLinkFactory(engagement=elsewhere, title="Their board")
    client.force_login(client_key_user)
    html = client.get(reverse("portal:project", args=[engagement.pk])).content.decode()
    assert "Ewa Nowak" in html and "Head of finance" in html and "ewa@client.example" in html
    assert "Sprint board" in html
    hidden_texts = ("Worried about the budget", "Blocks every decision", "Team repository", "Someone Else")
    hidden_texts += ("Their board",)
    for hidden in hidden_texts:
        assert hidden not in html, hidden
    # The fields the team keeps to itself are never even loaded for a client.
    seen = Stakeholder.objects.visible_to(client_key_user).get()
    assert {"cares_about", "involvement", "influence"} <= seen.get_deferred_fields()
