"""``{% csrf_input %}``: the CSRF form field of pages whose HTML may be cached (``portfolio.page_cache``).

Outside a cached fragment it is exactly ``{% csrf_token %}``. Inside one (the context has ``csrf_placeholder``), it
writes a placeholder that the cache replaces with the request's own masked token on every response, so a cached
fragment never carries anyone's token and every response still gets a fresh mask (Django's defence against BREACH).
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import mark_safe

register = template.Library()

CSRF_PLACEHOLDER = "__csrf-token-placeholder__"


@register.simple_tag(takes_context=True)
def csrf_input(context):
    if context.get("csrf_placeholder"):
        return mark_safe(f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">')
    return CsrfTokenNode().render(context)
