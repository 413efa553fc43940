"""``{% csrf_input %}``: the CSRF form field of pages whose HTML may be cached (``portfolio.page_cache``).

Outside a cached fragment it is exactly ``{% csrf_token %}``. Inside one (the context has ``csrf_placeholder``), it
writes a placeholder field that the cache replaces with the request's own masked token on every response, so a
cached fragment never carries anyone's token and every response still gets a fresh mask (Django's defence against
BREACH).

The placeholder is derived from ``SECRET_KEY``: the same in every process sharing the cache, yet no one can type
it into a title or a note, so the substitution only ever touches the fields this tag wrote. It is also the whole
``<input>`` element, which escaped user text cannot contain.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

register = template.Library()


def csrf_placeholder_field() -> str:
    """The hidden field standing for the CSRF token in a cached fragment."""
    marker = salted_hmac("accounts.page_fragments.csrf_input", "placeholder", algorithm="sha256").hexdigest()
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="csrf-placeholder-{marker}">'


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


@register.simple_tag(takes_context=True)
def csrf_input(context):
    if context.get("csrf_placeholder"):
        return mark_safe(csrf_placeholder_field())
    return CsrfTokenNode().render(context)
