"""The commands that run workers and beat, wherever they are written, keep the options that let a worker
survive a Redis restart, and every production unit restarts its process (deploy/README.md says why)."""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings

from onboarding_portal.celery import worker_restart_risks

ROOT = Path(settings.BASE_DIR)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def commands(path: Path, program: str) -> list[str]:
    """Every `celery -A onboarding_portal <program>` command in a file, continuation lines joined."""
    text = path.read_text().replace("\\\n", " ")
    found = re.findall(rf"celery -A onboarding_portal {program}\b[^\n`&]*", text)
    return [" ".join(command.split()) for command in found]


def worker_options(command: str) -> tuple[int, dict]:
    args = shlex.split(command)
    concurrency = next((int(arg.split("=", 1)[1]) for arg in args if arg.startswith("--concurrency=")), None)
    return concurrency, {arg[2:].replace("-", "_"): True for arg in args if arg.startswith("--without-")}


@pytest.mark.parametrize(
    "path", ["bin/start", "deploy/systemd/onboarding-portal-worker@.service", "README.md", "deploy/README.md"]
)
def test_every_worker_command_runs_one_task_at_a_time_without_gossip_mingle_and_heartbeat(path):
    found = commands(ROOT / path, "worker")
    assert found, f"no worker command in {path}"
    for command in found:
        concurrency, options = worker_options(command)
        assert concurrency == 1, command
        assert worker_restart_risks(broker_url="redis://", concurrency=concurrency, options=options) == [], command


@pytest.mark.parametrize(
    "path", ["bin/start", "deploy/systemd/onboarding-portal-beat.service", "README.md", "deploy/README.md"]
)
def test_beat_runs_without_a_pidfile_so_a_restart_after_a_kill_is_not_refused(path):
    (command,) = commands(ROOT / path, "beat")
    assert "--pidfile=" in shlex.split(command)


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_is_restarted_whenever_it_exits_and_never_given_up_on(unit):
    text = unit.read_text()
    assert re.search(r"^Restart=always$", text, re.M)
    assert re.search(r"^StartLimitIntervalSec=0$", text, re.M)
    assert re.search(r"^PartOf=onboarding-portal\.target$", text, re.M)
    assert re.search(r"^WantedBy=onboarding-portal\.target$", text, re.M)


def test_there_is_a_unit_for_web_workers_and_one_beat():
    assert [unit.name for unit in UNITS] == [
        "onboarding-portal-beat.service",  # not a template: exactly one beat
        "onboarding-portal-web.service",
        "onboarding-portal-worker@.service",
    ]
