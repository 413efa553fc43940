from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from .client_address import from_trusted_proxy


class ForwardedProtoMiddleware:
    """Believe the proxy's "the client came over HTTPS" header (``SECURE_PROXY_SSL_HEADER``) only from our own
    proxies (``TRUSTED_PROXIES``), as ``X-Forwarded-For``: from anyone else it is dropped before anything asks
    ``request.is_secure()``, so a client on plain HTTP cannot pass for HTTPS (and skip the HTTPS redirect). First in
    ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if header and header[0] in request.META and not from_trusted_proxy(request):
            del request.META[header[0]]
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Show dates in the signed-in user's time zone and pages in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # For this request only: the thread's zone and language are restored afterwards, so nothing that runs
            # next in the same thread (another request's code before its middleware, a test) inherits them.
            with timezone.override(user.zone), translation.override(user.language or translation.get_language()):
                request.LANGUAGE_CODE = translation.get_language()
                response = self.get_response(request)
                # LocaleMiddleware answers after this block (it only sets the header where none is set yet).
                response.headers.setdefault("Content-Language", translation.get_language())
                return response
        timezone.deactivate()
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Signed-in pages are ``Cache-Control: private, no-store``: no shared proxy keeps one person's page for the
    next, and the browser keeps no copy to show after logout (the back button on a shared computer).
    Anonymous pages keep their own caching; static files never get here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def nul_byte_message() -> str:
    return gettext(
        "It contained a NUL character (an invisible control character, often copied along with text from another "
        "program). Nothing was changed. Go back, remove the character from what you typed, and try again."
    )


class RefuseNulBytesMiddleware:
    """A NUL byte in a query parameter or a posted field answers 400 with a page in words, before any view runs.

    PostgreSQL cannot store NUL in text, and no field of the portal means one, so such a request changes nothing.
    Forms refuse NUL in their own fields as well (Django's ``CharField``); this covers every raw read and every view
    at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            if request.path.startswith("/api/v1/"):
                # The REST API's callers read RFC 9457 problem details, as every other error of the API answers.
                body = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": nul_byte_message()}
                return JsonResponse(body, status=400, content_type="application/problem+json")
            if request.headers.get("HX-Request") == "true":
                # An htmx request swaps no error answer into the page: static/js/app.js shows this text instead.
                return HttpResponse(nul_byte_message(), status=400, content_type="text/plain; charset=utf-8")
            return render(request, "errors/nul_byte.html", status=400)
        return self.get_response(request)
