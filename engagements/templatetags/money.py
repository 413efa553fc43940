from django import template

from engagements.currencies import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    """``{{ record.amount|money:record.currency }}``: the amount with its ISO currency, as the reader's language
    writes money (see ``engagements.currencies.format_money``)."""
    return format_money(amount, currency)
