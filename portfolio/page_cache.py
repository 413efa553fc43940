"""Rendered page fragments kept under the figures' generation (``portfolio.figures``).

The dashboards, "My work", the portal home and the engagement page are read far more often than anything on them
changes. Their HTML is kept per person (their permissions shape it), language, time zone and day, under the current
*generation*: any change to the data they show moves the generation on (see ``figures``: a model signal, and every
refresh of the maintained figures, the set-based sweeps' and the clock's included), so the next request renders
afresh and no page shows a figure older than the last change. The TTL only evicts fragments nobody asks for.

A cached fragment never contains a CSRF token: its forms write ``{% csrf_input %}``, a placeholder field replaced
with one carrying the request's own masked token on every response. Only the fields the tag wrote are replaced:
the placeholder is secret (derived from ``SECRET_KEY``), so no title or note can contain it. Messages, the
navigation and the absence banner are outside the fragments (the layout renders them on each request).
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from accounts.templatetags.page_fragments import csrf_field, csrf_placeholder_field

from . import figures


def fragment(request, *, name: str, parts: tuple, template: str, context) -> str:
    """The HTML of ``template`` for this person and ``parts`` (the page's object and query), rendered with
    ``context()`` only when it is not kept yet."""
    placeholder = csrf_placeholder_field()
    signature = repr(
        (
            # A new secret key makes new placeholders: fragments holding the old ones are not reused.
            placeholder,
            name,
            parts,
            request.user.pk,
            # The preview principal's id is the same for every previewed engagement (``preview``).
            getattr(request.user, "preview_engagement_id", None),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            figures.generation(),
        )
    )
    key = "portfolio:page:" + hashlib.sha256(signature.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context(), "csrf_placeholder": True}, request)
        cache.set(key, html, figures.TTL)
    return mark_safe(html.replace(placeholder, csrf_field(get_token(request))))
