"""Every deciding view asks for the second factor again (``accounts.step_up``), and only those."""

import pytest
from django.urls import get_resolver

DECISIONS = {
    "portal:stage_decision",
    "portal:work_plan_decision",
    "portal:minutes_acknowledge",
    "portal:document_acknowledge",
    "portal:flag_confirm",
    "portal:flag_reopen",
    "escalations:flag_reopen",
    "api:tokens",
    # Making new recovery codes and turning the factor off are guarded the same way.
    "accounts:mfa_recovery_codes_regenerate",
    "accounts:mfa_remove",
}


def _views():
    from tests.url_access import iter_patterns

    return {name: pattern.callback for name, _route, pattern in iter_patterns(get_resolver()) if name}


def test_each_decision_asks_for_the_second_factor_again():
    views = _views()
    missing = sorted(name for name in DECISIONS if not getattr(views[name], "asks_step_up", False))
    assert missing == []


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_the_decision_url_exists(name):
    assert name in _views()
