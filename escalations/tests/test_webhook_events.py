"""Red flags' webhook events: written with their deliveries in the service's (or the sweep batch's) transaction,
once per key, the same from the sweep's SQL path and its planner, at a query count the endpoints do not change."""

import pytest

from escalations import services
from escalations.models import RedFlag
from escalations.services import sweep_escalate
from webhooks.models import Delivery, Event
from webhooks.tests.factories import EndpointFactory

from .factories import raise_flag, warsaw
from .test_sweep import _flags, _sweep_queries

pytestmark = pytest.mark.django_db

FLAG_EVENTS = ["red_flag.raised", "red_flag.acknowledged", "red_flag.escalated", "red_flag.resolved"]


def _events(event_type):
    return list(Event.objects.filter(type=event_type).order_by("created_at"))


def test_a_flag_s_life_emits_its_events_to_the_client_s_endpoint(engagement, client_key_user, pm):
    endpoint = EndpointFactory(organization=engagement.client, event_types=FLAG_EVENTS)
    EndpointFactory(organization=None, event_types=["red_flag.raised"])  # organization-wide: gets the raise only
    flag = raise_flag(engagement, client_key_user)
    services.flag_acknowledge(flag=flag, by=pm, now=warsaw(2026, 11, 10, 11))
    services.flag_resolve(flag=flag, by=pm, resolution="Restarted the importer", now=warsaw(2026, 11, 10, 12))
    raised, acknowledged, resolved = (
        _events(t) for t in ("red_flag.raised", "red_flag.acknowledged", "red_flag.resolved")
    )
    assert len(raised) == len(acknowledged) == len(resolved) == 1
    data = raised[0].data
    assert data["red_flag"] == {"id": flag.pk, "severity": "high", "level": 1, "cycle": 1}
    assert data["engagement"] == {"id": engagement.pk} and data["client"] == {"id": engagement.client_id}
    assert data["acknowledge_by"] == "2026-11-10T13:00:00+00:00"  # 14:00 Warsaw, in UTC
    assert "Restarted" not in str(resolved[0].data) and "description" not in str(data)
    assert Delivery.objects.filter(event=raised[0]).count() == 2
    assert Delivery.objects.filter(event=resolved[0], endpoint=endpoint).count() == 1


def test_a_manual_escalation_emits_once(engagement, client_key_user, pm):
    EndpointFactory(organization=engagement.client, event_types=["red_flag.escalated"])
    flag = raise_flag(engagement, client_key_user)
    services.flag_escalate(flag=flag, by=pm, reason="The client's go-live is tomorrow", now=warsaw(2026, 11, 10, 11))
    [event] = _events("red_flag.escalated")
    assert event.data["reason"] == "manual" and event.data["red_flag"]["level"] == 2
    assert "go-live" not in str(event.data)
    assert Delivery.objects.filter(event=event).count() == 1


def test_the_sweep_warns_escalates_and_misses_once(engagement, client_key_user):
    EndpointFactory(
        organization=engagement.client,
        event_types=["red_flag.breach_warning", "red_flag.escalated", "sla.target_missed"],
    )
    flag = raise_flag(engagement, client_key_user)
    services.escalation_sweep(now=warsaw(2026, 11, 10, 13, 15))  # past the 13:12 warning, before the 14:00 deadline
    services.escalation_sweep(now=warsaw(2026, 11, 10, 13, 20))
    [warning] = _events("red_flag.breach_warning")
    assert warning.data["deadline"] == "acknowledge" and warning.data["due"] == "2026-11-10T13:00:00+00:00"
    services.escalation_sweep(now=warsaw(2026, 11, 10, 14, 1))
    services.escalation_sweep(now=warsaw(2026, 11, 10, 14, 2))
    [escalated] = _events("red_flag.escalated")
    [missed] = _events("sla.target_missed")
    assert escalated.data["red_flag"]["id"] == flag.pk and escalated.data["reason"] == "acknowledge"
    assert missed.data["target"] == "acknowledge" and missed.data["deadline"] == "2026-11-10T13:00:00+00:00"
    assert Delivery.objects.count() == 3


def test_the_sql_path_and_the_planner_emit_the_same_escalation(monkeypatch, engagement, client_key_user):
    EndpointFactory(organization=engagement.client, event_types=["red_flag.escalated", "sla.target_missed"])
    in_sql = raise_flag(engagement, client_key_user, title="In SQL")
    planned = raise_flag(engagement, client_key_user, title="Planned")
    sort_out = sweep_escalate.sort_out

    def planner_takes_one(rows, batch, now):
        climbing, rest = sort_out([row for row in rows if row[0] != planned.pk], batch, now)
        assert climbing.ids == [in_sql.pk]
        return climbing, [planned.pk, *rest]

    monkeypatch.setattr(sweep_escalate, "sort_out", planner_takes_one)
    assert services.escalation_sweep_batch(now=warsaw(2026, 11, 10, 14, 1)) == 2

    def emitted(flag):
        found = Event.objects.filter(data__red_flag__id=flag.pk, type__in=["red_flag.escalated", "sla.target_missed"])
        return sorted(
            (e.type, e.key.replace(str(flag.pk), "F"), {**e.data, "red_flag": {**e.data["red_flag"], "id": 0}})
            for e in found
        )

    assert len(emitted(in_sql)) == 2
    assert emitted(in_sql) == emitted(planned)


def test_the_sweep_s_queries_do_not_grow_with_endpoints():
    late = warsaw(2026, 11, 10, 11, 1)
    flags = _flags(4)
    EndpointFactory(organization=None, event_types=["red_flag.escalated"])
    one = _sweep_queries(late)
    assert Delivery.objects.count() == 4
    RedFlag.objects.all().delete()
    flags = _flags(4)
    for flag in flags:
        EndpointFactory(organization=flag.engagement.client, event_types=["red_flag.escalated", "sla.target_missed"])
    many = _sweep_queries(late)
    assert one[0] == many[0] == 4
    assert many[1] == one[1], f"{one[1]} queries with one endpoint, {many[1]} with five"
    assert Event.objects.filter(type="red_flag.escalated").count() == 8


def test_flags_told_of_by_a_group_notice_each_get_their_event(engagement, client_key_user, settings):
    EndpointFactory(organization=engagement.client, event_types=["red_flag.escalated"])
    flags = [raise_flag(engagement, client_key_user, title=f"Complaint {n}") for n in range(5)]
    assert settings.ESCALATIONS_GROUP_NOTICES_ABOVE < 5
    assert services.escalation_sweep_batch(now=warsaw(2026, 11, 10, 14, 1)) == 5
    emitted = Event.objects.filter(type="red_flag.escalated")
    assert sorted(e.data["red_flag"]["id"] for e in emitted) == sorted(flag.pk for flag in flags)
    assert Delivery.objects.count() == 5
