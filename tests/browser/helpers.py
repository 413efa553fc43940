"""Helpers for browser journeys: log in through the real form, check accessibility with axe-core."""

from pathlib import Path

from accounts.tests.factories import PASSWORD

AXE_JS = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def log_in(page, live_server, user, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_with_code(page, live_server, user, secret, *, step=0):
    """Log in with the password, then the authenticator app's code (``secret``: ``enrol_totp``'s)."""
    from accounts.tests.factories import totp_code

    log_in(page, live_server, user)
    page.get_by_label("Code").fill(totp_code(secret, step=step))
    page.get_by_role("button", name="Verify and sign in").click()


def totp_secret(user) -> str:
    """The secret of ``user``'s authenticator app: the one they have, else a new one (enrolled as the enrolment
    page would)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    from accounts.tests.factories import enrol_totp

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return enrol_totp(user)
    return get_adapter().decrypt(authenticator.data["secret"])


def log_in_as(page, live_server, user):
    """Log in and wait until the signed-in page shows (the user menu), for journeys that switch people. Someone the
    policy asks for a second factor (admins, directors: ``accounts.mfa.policy``) has an authenticator app and
    enters its code, as they would."""
    from django.core.cache import cache
    from playwright.sync_api import expect

    from accounts.mfa.policy import mfa_required
    from accounts.tests.factories import totp_code

    if not mfa_required(user):
        log_in(page, live_server, user)
    else:
        secret = totp_secret(user)
        code = totp_code(secret)
        log_in_with_code(page, live_server, user, secret)
        expect(page.get_by_test_id("user-menu")).to_be_visible()
        # A code is refused a second time in its period; a journey that signs the same person in again soon after
        # (as people switch) is not a replayed code.
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core on the current page; return the serious and critical violations."""
    # Evaluated by the browser's debugging protocol, which the page's Content-Security-Policy does not govern
    # (an injected <script> tag would be refused, as it should be).
    # Bootstrap animates a button's colours on hover and focus; a scan in the middle of that fade measures a colour
    # no one sees at rest. With reduced motion (which Bootstrap honours) the colours are final at once.
    page.emulate_media(reduced_motion="reduce")
    page.evaluate(AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
