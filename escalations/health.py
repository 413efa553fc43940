"""The health signals escalations gives engagements' health registry (registered in ``EscalationsConfig.ready``).

- ``open_red_flags``: how many are open; one puts an engagement at risk, two off track.
- ``red_flag_weight``: the weight of the gravest open flag, its severity times how far up its path it is (normal 1,
  high 2, critical 4; times its level, counted up to 4), so a critical flag at the executive board (4 x 4) weighs
  far more than a normal one at the first level (1, which this signal leaves to the count). From 2 (a high flag, or
  a normal one at the second level) it is at risk, from 4 (a critical one anywhere, a high one at the second level,
  a normal one at the fourth) off track. Its reason names the gravest flag: "1 critical red flag at the executive
  board".
"""

from django.db.models import Case, CharField, Count, F, IntegerField, Max, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Least
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from engagements.health import HealthSignal, register_signal

from . import selectors
from .models import OPEN_STATUSES, EscalationLevel, RedFlag, Severity

SEVERITY_WEIGHT = {Severity.NORMAL: 1, Severity.HIGH: 2, Severity.CRITICAL: 4}
# Levels above the fourth weigh as the fourth: by then the executives hold it.
LEVEL_WEIGHT_CAP = 4


def _open_flags(value) -> str:
    return ngettext("%(count)d red flag is open", "%(count)d red flags are open", value) % {"count": value}


def flag_weight():
    """One red flag's weight, on a ``RedFlag`` row: as ``weight_of`` in Python."""
    severity = Case(
        *(When(severity=severity, then=Value(weight)) for severity, weight in SEVERITY_WEIGHT.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    return severity * Least(F("level"), Value(LEVEL_WEIGHT_CAP), output_field=IntegerField())


def weight_of(*, severity: str, level: int) -> int:
    return SEVERITY_WEIGHT.get(severity, 1) * min(level, LEVEL_WEIGHT_CAP)


def _open_flags_of_engagement():
    return RedFlag.objects.filter(engagement=OuterRef("pk"), status__in=OPEN_STATUSES).order_by()


def red_flag_weight_expression():
    return Coalesce(
        Subquery(
            _open_flags_of_engagement().values("engagement").annotate(weight=Max(flag_weight())).values("weight")[:1]
        ),
        Value(0),
        output_field=IntegerField(),
    )


def red_flag_weight_detail():
    """The gravest open flag, as "<how many open flags share its severity and level>|<severity>|<level name>"."""
    level_name = EscalationLevel.objects.filter(path=OuterRef("path"), position=OuterRef("level")).values("name")[:1]
    alike = (
        RedFlag.objects.filter(
            engagement=OuterRef("engagement"),
            severity=OuterRef("severity"),
            level=OuterRef("level"),
            status__in=OPEN_STATUSES,
        )
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    gravest = (
        _open_flags_of_engagement()
        .annotate(weight=flag_weight())
        .order_by("-weight", "-level", "pk")
        .annotate(
            detail=Concat(
                Cast(Subquery(alike), CharField()),
                Value("|"),
                F("severity"),
                Value("|"),
                Coalesce(Subquery(level_name), Value("")),
                output_field=CharField(),
            )
        )
        .values("detail")[:1]
    )
    return Subquery(gravest, output_field=CharField())


GRAVEST = {
    Severity.CRITICAL: lambda n: ngettext(
        "%(count)d critical red flag at the %(level)s", "%(count)d critical red flags at the %(level)s", n
    ),
    Severity.HIGH: lambda n: ngettext(
        "%(count)d high-severity red flag at the %(level)s", "%(count)d high-severity red flags at the %(level)s", n
    ),
    Severity.NORMAL: lambda n: ngettext(
        "%(count)d red flag at the %(level)s", "%(count)d red flags at the %(level)s", n
    ),
}


def _gravest(value, detail=None) -> str:
    if not detail:
        return gettext("The gravest red flag weighs %(weight)d") % {"weight": value}
    count, severity, level = detail.split("|", 2)
    if (translation.get_language() or "en").startswith("en"):
        # "at the executive board": a level's configured name is written as a title ("Executive board").
        level = level[:1].lower() + level[1:]
    phrase = GRAVEST.get(severity, GRAVEST[Severity.NORMAL])
    number = int(count) if count.isdigit() else 1
    return phrase(number) % {"count": number, "level": level}


SIGNALS = [
    # The gravest flag first: of two reasons equally bad, it says more.
    HealthSignal(
        "red_flag_weight",
        _("the gravest red flag"),
        lambda today: red_flag_weight_expression(),
        2,
        4,
        describe=_gravest,
        detail=lambda today: red_flag_weight_detail(),
    ),
    HealthSignal(
        "open_red_flags",
        _("open red flags"),
        lambda today: selectors.open_red_flag_count_expression(),
        1,
        2,
        describe=_open_flags,
    ),
]


def register() -> None:
    for signal in SIGNALS:
        register_signal(signal)
