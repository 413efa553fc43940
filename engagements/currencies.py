"""The currencies an engagement's budget or a billing record may be in: the ISO 4217 codes in use (funds, metals,
testing codes and withdrawn currencies left out). Codes, not names: they read the same in every language and are
what contracts and invoices print."""

from babel import UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils.translation import get_language, to_locale

ISO_4217_CODES = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY
COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR
ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU
UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split()  # noqa: SIM905 (a table to read, not to format one per line)

# The ones most contracts use come first in the pickers; the rest follow alphabetically.
COMMON = ["EUR", "USD", "GBP", "CHF", "PLN", "CZK", "SEK", "NOK", "DKK"]

CURRENCY_CHOICES = [(code, code) for code in COMMON] + [(code, code) for code in ISO_4217_CODES if code not in COMMON]


def format_money(amount, currency: str) -> str:
    """An amount as the reader's language writes money: "1 234,50 zł" in Polish, "1.234,50 €" in German,
    "€1,234.50" in English (CLDR's patterns through Babel, with the currency's own decimals: JPY has none).
    Empty for no amount; a language Babel does not know falls back to English."""
    if amount is None or amount == "":
        return ""
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    try:
        return format_currency(amount, currency or "EUR", locale=locale)
    except UnknownLocaleError:
        return format_currency(amount, currency or "EUR", locale="en")
