from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from accounts.tests.factories import UserFactory
from api import crm
from api.models import CrmAccount, CrmDeal, CrmReceipt
from engagements.models import Engagement, Phase, Promise

pytestmark = pytest.mark.django_db
URL = "/api/v1/deals/won/"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def crm_user(vendor_admin):
    return vendor_admin


@pytest.fixture
def owner(vendor):
    return UserFactory(organization=vendor, email="ae@vendor.test")


def deal(**changes):
    body = {
        "deal_id": "D-1",
        "name": "Acme rollout",
        "account": {"id": "A-9", "name": "Acme Logistics"},
        "owner_email": "ae@vendor.test",
        "amount": "12000.00",
        "currency": "EUR",
        "promises": [{"description": "SSO by go-live", "due_at": "2027-03-01T09:00:00Z"}],
    }
    body.update(changes)
    return body


def post(api_as, user, body, scopes=("deals:write",)):
    return api_as(user, scopes=list(scopes)).post(URL, body, format="json")


def test_a_won_deal_opens_the_engagement_in_handoff(api_as, crm_user, owner, csm, client_org):
    answer = post(api_as, crm_user, deal())
    assert answer.status_code == 201, answer.json()
    assert answer.json()["outcome"] == "created"
    engagement = Engagement.objects.get(pk=answer.json()["engagement"]["id"])
    assert engagement.client == client_org  # matched by name, case-insensitive
    assert (engagement.phase, engagement.account_executive, engagement.csm) == (Phase.HANDOFF, owner, csm)
    assert str(engagement.planned_amount) == "12000.00" and engagement.currency == "EUR"
    assert list(Promise.objects.filter(engagement=engagement).values_list("description", "source")) == [
        ("SSO by go-live", "sales")
    ]
    assert CrmAccount.objects.get(source="generic", account_id="A-9").organization == client_org
    assert CrmDeal.objects.get().engagement == engagement


def test_an_unknown_client_is_opened_and_then_matched_by_account_id(api_as, crm_user, owner, csm):
    post(api_as, crm_user, deal(account={"id": "A-1", "name": "Initech"}))
    answer = post(api_as, crm_user, deal(deal_id="D-2", account={"id": "A-1", "name": "Initech Renamed"}))
    assert answer.status_code == 201
    assert Engagement.objects.filter(client__name="Initech").count() == 2


def test_the_same_deal_twice_changes_nothing(api_as, crm_user, owner, csm, client_org):
    first = post(api_as, crm_user, deal()).json()
    again = post(api_as, crm_user, deal())
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert again.json()["engagement"]["id"] == first["engagement"]["id"]
    assert (Engagement.objects.count(), Promise.objects.count()) == (1, 1)


def test_a_changed_deal_before_kickoff_updates_the_handoff(api_as, crm_user, owner, csm, client_org):
    post(api_as, crm_user, deal())
    promises = [*deal()["promises"], {"description": "Data migration", "due_at": "2027-04-01T09:00:00Z"}]
    answer = post(api_as, crm_user, deal(amount="15000.00", promises=promises))
    assert answer.status_code == 200 and answer.json()["outcome"] == "updated"
    engagement = Engagement.objects.get()
    assert str(engagement.planned_amount) == "15000.00"
    assert Promise.objects.filter(engagement=engagement).count() == 2


def test_a_changed_deal_after_kickoff_is_refused(api_as, crm_user, owner, csm, client_org):
    post(api_as, crm_user, deal())
    Engagement.objects.update(phase=Phase.KICKOFF)
    answer = post(api_as, crm_user, deal(amount="1.00"))
    assert answer.status_code == 409
    assert answer["Content-Type"].startswith("application/problem+json")
    assert str(Engagement.objects.get().planned_amount) == "12000.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deal_id": ""}, "deal_id"),
        ({"name": ""}, "name"),
        ({"account": {"id": "A-9"}}, "account"),
        ({"owner_email": "not-an-email"}, "owner_email"),
        ({"owner_email": "nobody@vendor.test"}, "owner_email"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"promises": [{"description": "x"}]}, "promises"),
    ],
)
def test_a_bad_payload_changes_nothing_and_names_the_field(api_as, crm_user, owner, csm, changes, field):
    answer = post(api_as, crm_user, deal(**changes))
    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert Engagement.objects.count() == 0
    assert CrmReceipt.objects.get().status == 400


@pytest.mark.parametrize("scopes", [("engagements:write",), ("deals:read",)])
def test_a_token_without_deals_write_is_refused(api_as, crm_user, owner, csm, scopes):
    assert post(api_as, crm_user, deal(), scopes=scopes).status_code == 403
    assert Engagement.objects.count() == 0


def test_no_token_is_refused(client, owner, csm):
    assert client.post(URL, deal(), content_type="application/json").status_code == 401


def test_round_robin_picks_the_csm_with_fewest_active_engagements(engagement, csm, other_csm):
    assert crm.csm_for_deal() == other_csm


def test_a_fixed_csm(csm, other_csm):
    with override_settings(CRM_CSM=csm.email):
        assert crm.csm_for_deal() == csm


def test_receipts_are_redacted_and_purged_after_30_days(api_as, crm_user, owner, csm, client_org):
    post(api_as, crm_user, deal())
    receipt = CrmReceipt.objects.get()
    assert receipt.payload["owner_email"] == "[redacted]"
    CrmReceipt.objects.filter(pk=receipt.pk).update(received_at=NOW - timedelta(days=31))
    kept = crm.receipt_keep(source="generic", payload={}, status=200, now=NOW - timedelta(days=29))
    assert crm.receipts_purge(now=NOW) == 1
    assert list(CrmReceipt.objects.all()) == [kept]


def test_the_crm_path_emits_engagement_created_once(api_as, crm_user, owner, csm, client_org):
    from webhooks.models import Event

    engagement_id = post(api_as, crm_user, deal()).json()["engagement"]["id"]
    post(api_as, crm_user, deal())
    assert Event.objects.filter(type="engagement.created", engagement_id=engagement_id).count() == 1


def test_the_purge_tick_is_registered():
    from notifications import registry

    assert "api.crm_receipts_purge" in {tick.task for tick in registry.periodic_tasks()}


def test_the_csm_is_told_of_the_won_deal(api_as, crm_user, owner, csm, client_org):
    from notifications.models import Notification

    engagement_id = post(api_as, crm_user, deal()).json()["engagement"]["id"]
    told = Notification.objects.filter(recipient=csm, category=crm.CRM_CATEGORY)
    assert told.count() >= 1
    assert {n.url for n in told} == {f"/engagements/{engagement_id}/"}
    assert "Acme rollout" in told.first().subject
    post(api_as, crm_user, deal())  # the same deal again: nobody is told twice
    assert Notification.objects.filter(recipient=csm, category=crm.CRM_CATEGORY).count() == told.count()


def test_a_changed_deal_records_what_changed_and_tells_the_csm(api_as, crm_user, owner, csm, client_org):
    from api.models import CrmDealChange
    from notifications.models import Notification

    post(api_as, crm_user, deal())
    before = Notification.objects.filter(recipient=csm, category=crm.CRM_CATEGORY).count()
    moved = [{"description": "SSO by go-live", "due_at": "2027-03-15T09:00:00Z"}]
    answer = post(api_as, crm_user, deal(amount="15000.00", closed_on="2026-12-01", promises=moved))
    assert answer.status_code == 200 and answer.json()["outcome"] == "updated"
    (change,) = CrmDealChange.objects.all()
    assert change.deal == CrmDeal.objects.get()
    assert change.changes["planned_amount"] == ["12000.00", "15000.00"]
    assert change.changes["contract_signed_on"] == ["", "2026-12-01"]
    assert change.changes["promise: SSO by go-live"][1].startswith("2027-03-15T09:00:00")
    # One engagement, one promise (its due time moved), whatever was sent twice.
    assert (Engagement.objects.count(), Promise.objects.count()) == (1, 1)
    assert Promise.objects.get().due_at == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    assert Notification.objects.filter(recipient=csm, category=crm.CRM_CATEGORY).count() > before
    # The same changed deal once more changes nothing and records nothing.
    assert (
        post(api_as, crm_user, deal(amount="15000.00", closed_on="2026-12-01", promises=moved)).json()["outcome"]
        == "unchanged"
    )
    assert CrmDealChange.objects.count() == 1


def test_the_admins_rule_names_the_csm_before_the_setting(csm, other_csm, engagement):
    from api.models import CrmSettings, CsmRule

    with override_settings(CRM_CSM=csm.email):
        assert crm.csm_for_deal() == csm  # no row: the setting
        CrmSettings.objects.create(csm_rule=CsmRule.ROUND_ROBIN)
        assert crm.csm_for_deal() == other_csm  # csm carries ``engagement``
        CrmSettings.objects.update(csm_rule=CsmRule.FIXED, csm=other_csm)
        assert crm.csm_for_deal() == other_csm
        CrmSettings.objects.update(csm_rule=CsmRule.SETTING)
        assert crm.csm_for_deal() == csm


def test_the_crm_settings_are_one_row_and_a_fixed_rule_needs_its_csm():
    from django.core.exceptions import ValidationError

    from api.models import CrmSettings, CsmRule

    with pytest.raises(ValidationError) as error:
        CrmSettings(csm_rule=CsmRule.FIXED).full_clean()
    assert "csm" in error.value.message_dict
    CrmSettings.objects.create()
    CrmSettings(csm_rule=CsmRule.ROUND_ROBIN).save()
    assert CrmSettings.objects.get().csm_rule == CsmRule.ROUND_ROBIN


def test_the_crm_category_is_registered():
    from notifications import registry

    assert registry.is_category(crm.CRM_CATEGORY)


def test_a_changed_deal_says_so_on_the_engagements_history(api_as, crm_user, owner, csm, client_org):
    from audit.selectors import engagement_trail

    post(api_as, crm_user, deal())
    post(api_as, crm_user, deal(amount="15000.00"))
    engagement = Engagement.objects.get()
    trail = engagement_trail(engagement=engagement)
    (entry,) = [e for e in trail.entries if e.model == "CRM deal change"]
    assert entry.action == "insert"
    assert entry.engagement_id == engagement.pk
