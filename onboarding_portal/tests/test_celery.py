"""The warning a worker logs at startup when its options make it likely to exit on a Redis restart."""

import logging
from types import SimpleNamespace

from onboarding_portal.celery import warn_about_restart_risks, worker_restart_risks

SAFE = {"without_gossip": True, "without_mingle": True, "without_heartbeat": True}


def test_one_process_without_gossip_mingle_and_heartbeat_on_redis_is_safe():
    assert worker_restart_risks(broker_url="redis://127.0.0.1:6379/0", concurrency=1, options=SAFE) == []


def test_more_than_one_process_on_redis_is_a_risk():
    (risk,) = worker_restart_risks(broker_url="rediss://redis.example.com:6380/0", concurrency=4, options=SAFE)
    assert risk.startswith("--concurrency=4:")
    assert "run more worker processes of concurrency 1 instead" in risk


def test_each_missing_option_is_named():
    (risk,) = worker_restart_risks(
        broker_url="redis://127.0.0.1:6379/0", concurrency=1, options={"without_mingle": True}
    )
    assert risk.startswith("--without-gossip --without-heartbeat missing:")


def test_the_file_system_broker_of_development_is_not_concerned():
    assert worker_restart_risks(broker_url="filesystem://", concurrency=8, options={}) == []


def test_the_worker_warns_at_startup_and_falls_back_to_the_configured_concurrency(caplog):
    conf = SimpleNamespace(broker_url="redis://127.0.0.1:6379/0", worker_concurrency=2)
    with caplog.at_level(logging.WARNING, logger="onboarding_portal.celery"):
        warn_about_restart_risks(sender="worker1@host", conf=conf, options={**SAFE, "concurrency": None})
    (record,) = caplog.records
    assert record.getMessage().startswith("Worker worker1@host may not survive a Redis restart: --concurrency=2:")
    assert record.getMessage().endswith("See deploy/README.md.")


def test_a_safe_worker_starts_without_a_warning(caplog):
    conf = SimpleNamespace(broker_url="redis://127.0.0.1:6379/0", worker_concurrency=1)
    with caplog.at_level(logging.WARNING, logger="onboarding_portal.celery"):
        warn_about_restart_risks(sender="worker1@host", conf=conf, options={**SAFE, "concurrency": 1})
    assert caplog.records == []
