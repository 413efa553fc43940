"""The typed fan-out writer (``FanoutRows``, ``fanout_rows_write``) writes the rows ``notify_many(...,
deferred=True)`` writes for the same events, on PostgreSQL (one statement) and on SQLite alike."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from notifications.models import NotificationFanout
from notifications.services import GENERIC_TEMPLATE, FanoutRows, NotifyRequest, fanout_rows_write, notify_many

from .factories import ALARM

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("UTC"))


class _RolledBack(Exception):
    pass


def _written(write) -> list[dict]:
    try:
        with transaction.atomic():
            write()
            rows = [
                {k: v for k, v in row.items() if k != "id"}
                for row in NotificationFanout.objects.order_by("event").values()
            ]
            raise _RolledBack
    except _RolledBack:
        return rows


@pytest.mark.django_db
def test_typed_rows_write_what_notify_many_defers(django_capture_on_commit_callbacks):
    csm, pm = UserFactory(), UserFactory()
    User = get_user_model()
    shared = {"kind": "escalated", "level": 2, "due_at": NOW}
    events = [("e:1", [csm, pm], "One"), ("e:2", [pm], 'Two "quoted" ünïcode')]

    def by_requests():
        requests = [
            NotifyRequest(
                event=event,
                recipients=people,
                category=ALARM,
                template=GENERIC_TEMPLATE,
                context={**shared, "title": title},
                target=person,
                url=f"/flags/{n}/",
            )
            for n, ((event, people, title), person) in enumerate(zip(events, [csm, pm], strict=True))
        ]
        assert notify_many(requests, now=NOW, deferred=True) == 2

    def by_rows():
        rows = FanoutRows(category=ALARM, template=GENERIC_TEMPLATE, target=User)
        encoded = FanoutRows.encode(shared)
        for n, ((event, people, title), person) in enumerate(zip(events, [csm, pm], strict=True)):
            rows.add(
                event=event,
                context=FanoutRows.with_words(encoded, FanoutRows.words(title=title)),
                url=f"/flags/{n}/",
                recipient_ids=[p.pk for p in people],
                target_id=person.pk,
            )
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            assert fanout_rows_write(rows, now=NOW) == 2
        assert len([q for q in queries if "INSERT" in q["sql"]]) == 1
        # The same events again (a racing sweep): nothing new.
        assert fanout_rows_write(rows, now=NOW) == 0

    with django_capture_on_commit_callbacks(execute=False):
        expected = _written(by_requests)
        assert expected and _written(by_rows) == expected
