"""HOLIDAY_COUNTRY is read from the environment, and so is its old name GOVERNANCE_HOLIDAY_COUNTRY (from when only
the minutes used it), so a deployment that set the old one keeps its holidays. Settings are read once per process,
so each case reads them in a fresh one."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _holiday_country(**environment) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("HOLIDAY_COUNTRY", "GOVERNANCE_HOLIDAY_COUNTRY")}
    result = subprocess.run(
        [sys.executable, "-c", "from onboarding_portal import settings; print(repr(settings.HOLIDAY_COUNTRY))"],
        env={**env, **environment},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    "environment, country",
    [
        ({}, "''"),
        ({"HOLIDAY_COUNTRY": "PL"}, "'PL'"),
        ({"GOVERNANCE_HOLIDAY_COUNTRY": "DE"}, "'DE'"),
        ({"HOLIDAY_COUNTRY": "PL", "GOVERNANCE_HOLIDAY_COUNTRY": "DE"}, "'PL'"),
    ],
)
def test_the_holiday_country_is_read_under_its_name_and_its_old_one(environment, country):
    assert _holiday_country(**environment) == country
