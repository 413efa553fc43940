"""In a real browser (issue 20, "Decisions that cannot be faked"): the client's key user accepts a stage, opens the
decision's receipt, downloads the signed JSON and checks it, signed out, on the public verification page (valid);
once the decided content is changed in the database behind the portal's back, the same receipt shows a mismatch.
Every page is checked with axe-core and photographed."""

import json

import pytest
from playwright.sync_api import expect

from checklists.models import StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from receipts.models import Receipt
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, name):
    screenshot(page, name)
    assert axe_violations(page) == [], name


def test_a_key_user_accepts_a_stage_and_verifies_its_receipt(page, live_server, tmp_path, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Data migration")
    ChecklistItemFactory(stage=stage, title="Load the customer master data", done=True)
    log_in_as(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/engagements/{engagement.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())  # the page asks before recording a decision
    page.get_by_test_id(f"accept-stage-{stage.pk}").click()
    expect(page.get_by_text("Thank you, your decision is recorded.")).to_be_visible()
    acceptance = StageAcceptance.objects.get(stage=stage)
    receipt = Receipt.objects.get()
    assert receipt.authenticated_by == "password" and receipt.address == "127.0.0.1"

    page.get_by_test_id(f"receipt-link-{acceptance.pk}").click()
    expect(page.get_by_role("heading", name="Decision receipt")).to_be_visible()
    expect(page.get_by_test_id("outcome-valid")).to_be_visible()
    expect(page.get_by_test_id("receipt-fields")).to_contain_text("Data migration")
    checked(page, "receipt-page")
    with page.expect_download() as download_info:
        page.get_by_test_id("receipt-download").click()
    downloaded = tmp_path / "receipt.json"
    download_info.value.save_as(downloaded)
    document = json.loads(downloaded.read_text())
    assert document["receipt"]["receipt_id"] == str(receipt.pk)
    assert document["signature"]["algorithm"] == "Ed25519"
    log_out(page)

    # Signed out: the verification page is public.
    page.goto(f"{live_server.url}/receipts/verify/")
    expect(page.get_by_role("heading", name="Verify a decision receipt")).to_be_visible()
    expect(page.get_by_test_id("public-keys")).to_contain_text(document["signature"]["key_id"])
    page.get_by_label("or choose the downloaded receipt file").set_input_files(str(downloaded))
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("outcome-valid")).to_contain_text("Valid, content unchanged.")
    checked(page, "receipt-verify-valid")

    # Someone with database access changes what was decided on: the same receipt no longer matches.
    snapshot = acceptance.snapshot
    snapshot["stages"][0]["items"][0]["title"] = "Load some of the customer master data"
    StageAcceptance.objects.filter(pk=acceptance.pk).update(snapshot=snapshot)
    page.goto(f"{live_server.url}/receipts/verify/")
    page.get_by_label("Paste the receipt").fill(downloaded.read_text())
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("outcome-mismatch")).to_contain_text("Content changed since the decision (mismatch).")
    checked(page, "receipt-verify-mismatch")

    # A forged receipt (the decision turned around) fails its signature.
    page.goto(f"{live_server.url}/receipts/verify/")
    page.get_by_label("Paste the receipt").fill(downloaded.read_text().replace('"accepted"', '"rejected"'))
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("outcome-signature-invalid")).to_be_visible()
    checked(page, "receipt-verify-forged")

    # The page speaks the visitor's language (here Polish, chosen with the switcher while signed out).
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", name="Sprawdź potwierdzenie decyzji")).to_be_visible()
    page.get_by_label("Wklej potwierdzenie").fill(downloaded.read_text())
    page.get_by_role("button", name="Sprawdź", exact=True).click()
    expect(page.get_by_test_id("outcome-mismatch")).to_contain_text("Treść zmieniła się od czasu decyzji")
    checked(page, "receipt-verify-mismatch-pl")
