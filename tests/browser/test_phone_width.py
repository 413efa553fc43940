"""No page scrolls sideways on a phone (issue 10): every page of the URL matrix (``tests/url_access.py``), opened
by its natural role at 390 px, fits the screen: neither the page nor a part of it (a table, a form) scrolls
sideways. Signed-in pages also show where they are (breadcrumbs)."""

import pytest
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tests.test_url_access import _url
from tests.url_access import RULES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# Who opens a page: the first of these that may (the people who use it every day come first).
NATURAL_ROLES = (
    "csm",
    "client_key_user",
    "director",
    "pm",
    "vendor_admin",
    "team_member",
    "executive",
    "deputy_pm",
    "other_csm",
    "client_member",
    "other_client_user",
)
# Not pages: downloads, fragments loaded into pages, machine answers and redirects.
NOT_PAGES = {
    "api:docs",  # Swagger UI's own page: the API reference for developers, drawn outside the app's layout
    "checklists:item_evidence",
    "portal:item_evidence",
    "quality:report_attachment",
    "portal:quality_report_attachment",
    "documents:version_download",
    "portal:document_download",
    "portfolio:dashboard_csv",
    "portfolio:engagement_figures",
    "notifications:badge",
    "client_data:progress",  # the exports list, polled into its page while an export is built
    "client_data:download",
    "portfolio:engagement_history_csv",
    "receipts:download",
    "baseline",
    "healthz",
    "favicon",
}

SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(`page ${document.documentElement.scrollWidth}px`);
  for (const element of document.querySelectorAll("body *")) {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.display === "none" || style.visibility === "hidden" || box.width === 0) continue;
    const scrolls = ["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
    const sticksOut = box.right > width + 1 && style.position !== "fixed";
    if (scrolls || sticksOut) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
        (element.className && typeof element.className === "string" ? "." + element.className.split(" ")[0] : "");
      found.push(`${name} (${Math.round(box.right)}px${scrolls ? ", scrolls" : ""})`);
    }
  }
  return found.slice(0, 5);
}"""


def _sign_in(context, live_server, user):
    context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def test_no_page_scrolls_sideways_at_390px(page, live_server, world):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.set_default_timeout(15_000)
    problems, visited = [], 0
    for name, rule in sorted(RULES.items()):
        if "GET" not in rule.methods or name in NOT_PAGES or rule.token:  # the API answers JSON, not pages
            continue
        role = "anonymous" if rule.public else next((r for r in NATURAL_ROLES if r in rule.allowed), None)
        if role is None:
            continue
        _sign_in(page.context, live_server, world["personas"][role])
        try:
            response = page.goto(live_server.url + _url(name, rule, world, other=False))
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            problems.append(f"{name}: not a page ({response and response.status})")
            continue
        visited += 1
        page.wait_for_load_state("networkidle")
        sideways = page.evaluate(SIDEWAYS)
        if sideways:
            problems.append(f"{name} as {role} at {page.url}: {', '.join(sideways)}")
        if role != "anonymous" and "/admin/" not in page.url and not page.get_by_test_id("breadcrumbs").count():
            problems.append(f"{name} as {role}: no breadcrumbs")
    assert problems == []
    assert visited >= 35
