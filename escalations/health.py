"""The health signal escalations gives engagements' health registry (registered in ``EscalationsConfig.ready``):
one open red flag puts an engagement at risk, two put it off track."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from engagements.health import HealthSignal, register_signal

from . import selectors


def _open_flags(value) -> str:
    return ngettext("%(count)d red flag is open", "%(count)d red flags are open", value) % {"count": value}


SIGNALS = [
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
