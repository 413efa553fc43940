"""Duplicates: the client's key user (``permissions.may_answer_for_client``) marks a report a duplicate of another
flag of the same project, after seeing what it does, and may take it back out.

Marking keeps the other flag (the vendor works that one) and closes the report. The kept flag takes the higher of
the two severities; when that raises it, its timers are recomputed (``timers.raise_severity``: each deadline becomes
the earlier of what it was and the new severity's window from now). The report's followers follow the kept flag and
its files are listed on it. Both timelines record it, and the client sees them.

Taking it back out (``flag_unmark_duplicate``) makes the report an open flag again at the level it had, with its own
deadlines counted afresh from now (so the level must acknowledge it again), recorded on both timelines. The kept
flag's severity goes back only if this merge raised it and nothing changed it since (it still has the severity the
merge gave it): it returns to the highest of what it had before and the severities of the reports still merged
into it. Deadlines the merge moved earlier stay (the client was shown them); followers stay (they were told of the
kept flag's changes and still may be)."""

import copy
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import permissions, timers
from ..coverage import coverage_for, rules_for_paths
from ..models import (
    FINAL_STATUSES,
    SEVERITY_RANK,
    EventKind,
    FlagAttachment,
    FlagEvent,
    FlagFollower,
    FlagPause,
    FlagStatus,
    RedFlag,
)
from ._common import actor_name, event, refuse_if_final, save, tell


def _higher(*severities: str) -> str:
    return min(severities, key=lambda severity: SEVERITY_RANK[severity])


@dataclass(frozen=True)
class DuplicateConsequence:
    """What marking ``duplicate`` a duplicate of ``kept`` does, as the key user is shown it before confirming."""

    duplicate: RedFlag
    kept: RedFlag
    severity: str  # the kept flag's severity afterwards
    raises_severity: bool
    ack_due_at: datetime | None  # the kept flag's deadlines afterwards (None: not running)
    resolve_due_at: datetime | None
    files: int  # the duplicate's files, listed on the kept flag afterwards


def _lock_pair(first_id: int, second_id: int, *, by: User, for_update: bool) -> dict:
    rows = RedFlag.objects.visible_to(by).filter(pk__in=[first_id, second_id]).order_by("pk")
    if for_update:
        # Both rows in id order, as every other writer of two flags does, so two merges cannot deadlock.
        rows = rows.select_for_update(of=("self",))
    return {row.pk: row for row in rows.select_related("engagement")}


def _rules(flag: RedFlag):
    rules = rules_for_paths([flag.path_id])
    return coverage_for([flag.engagement_id], path_rules=rules)[flag.engagement_id], rules[flag.path_id]


def _consequence(duplicate: RedFlag, kept: RedFlag, *, by: User, now) -> DuplicateConsequence:
    if not permissions.may_answer_for_client(by, duplicate):
        raise PermissionDenied
    if duplicate.pk == kept.pk:
        raise ValidationError(_("A red flag cannot duplicate itself."))
    if kept.engagement_id != duplicate.engagement_id:
        raise ValidationError(_("Choose a red flag of the same project."))
    refuse_if_final(duplicate)
    if kept.status in FINAL_STATUSES:
        raise ValidationError(_("Choose a red flag that is still open."))
    severity = _higher(kept.severity, duplicate.severity)
    after = kept
    if severity != kept.severity:
        # The very computation the merge makes, on a copy: what the key user is shown is what happens.
        after = copy.copy(kept)
        coverage, path = _rules(kept)
        timers.raise_severity(after, severity=severity, coverage=coverage, path=path, now=now)
    return DuplicateConsequence(
        duplicate=duplicate,
        kept=kept,
        severity=severity,
        raises_severity=severity != kept.severity,
        ack_due_at=after.ack_due_at,
        resolve_due_at=after.resolve_due_at,
        files=FlagAttachment.objects.filter(flag__in=[duplicate.pk, *_merged_into(duplicate)]).count(),
    )


def _merged_into(flag: RedFlag) -> list[int]:
    return list(RedFlag.objects.filter(duplicate_of=flag).values_list("pk", flat=True))


def duplicate_consequence(*, flag: RedFlag | int, of: RedFlag | int, by: User, now=None) -> DuplicateConsequence:
    """What marking ``flag`` a duplicate of ``of`` would do (nothing is changed); refuses as the marking would."""
    now = now or timezone.now()
    flag_id, kept_id = _pk(flag), _pk(of)
    rows = _lock_pair(flag_id, kept_id, by=by, for_update=False)
    if flag_id not in rows or kept_id not in rows:
        raise PermissionDenied
    return _consequence(rows[flag_id], rows[kept_id], by=by, now=now)


def _pk(flag) -> int:
    return flag.pk if isinstance(flag, RedFlag) else flag


@transaction.atomic
def flag_mark_duplicate(
    *, flag: RedFlag | int, of: RedFlag | int, by: User, expected_severity: str | None = None, now=None
) -> RedFlag:
    """Mark ``flag`` a duplicate of ``of`` (see the module docstring). ``expected_severity``: the kept flag's
    severity the key user was shown; if it is no longer what the merge gives (the flags changed meanwhile), nothing
    is changed and they are asked to look again. Reports already merged into ``flag`` move with it."""
    now = now or timezone.now()
    flag_id, kept_id = _pk(flag), _pk(of)
    rows = _lock_pair(flag_id, kept_id, by=by, for_update=True)
    if flag_id not in rows or kept_id not in rows:
        raise PermissionDenied
    flag, kept = rows[flag_id], rows[kept_id]
    consequence = _consequence(flag, kept, by=by, now=now)
    if expected_severity is not None and expected_severity != consequence.severity:
        raise ValidationError(_("The red flags changed meanwhile. Please look at what marking it does again."))
    severity_before = kept.severity
    if consequence.raises_severity:
        coverage, path = _rules(kept)
        timers.raise_severity(kept, severity=consequence.severity, coverage=coverage, path=path, now=now)
    flag.status = FlagStatus.DUPLICATE
    flag.duplicate_of = kept
    flag.closed_at = now
    timers.stop_all(flag)
    if flag.paused_at:
        FlagPause.objects.filter(flag=flag, ended_at__isnull=True).update(ended_at=now, ended_by=by)
        flag.paused_at = None
    RedFlag.objects.filter(duplicate_of=flag).update(duplicate_of=kept, updated_at=now)
    followers = set(FlagFollower.objects.filter(flag=flag).values_list("user_id", flat=True))
    followers |= set(FlagFollower.objects.filter(flag__duplicate_of=kept).values_list("user_id", flat=True))
    FlagFollower.objects.bulk_create(
        [FlagFollower(flag=kept, user_id=user_id, since=now) for user_id in sorted(followers)],
        ignore_conflicts=True,
    )
    event(
        flag,
        EventKind.DUPLICATE,
        by=by,
        now=now,
        original=kept.pk,
        original_title=kept.title,
        severity=consequence.severity,
    )
    event(
        kept,
        EventKind.MERGED,
        by=by,
        now=now,
        duplicate=flag.pk,
        duplicate_title=flag.title,
        severity_before=severity_before,
        severity_after=consequence.severity,
        files=consequence.files,
    )
    save(flag, now)
    save(kept, now)
    tell(
        kept,
        event_name=f"redflag:{flag.pk}:duplicate:{now.isoformat()}",
        # The owner reads what happened to their flag ("merged"); the reporters, that their report follows it.
        kind="merged",
        now=now,
        staff=[kept.owner],
        clients=list(User.objects.filter(pk__in=followers, is_active=True)),
        actor=actor_name(by),
        duplicate_title=flag.title,
    )
    return flag


@transaction.atomic
def flag_unmark_duplicate(*, flag: RedFlag | int, by: User, now=None) -> RedFlag:
    """Take ``flag`` back out of the flag it was merged into (see the module docstring)."""
    now = now or timezone.now()
    flag_id = _pk(flag)
    found = RedFlag.objects.visible_to(by).filter(pk=flag_id).values_list("duplicate_of_id", flat=True).first()
    rows = _lock_pair(flag_id, found or flag_id, by=by, for_update=True)
    flag = rows.get(flag_id)
    if flag is None or not permissions.may_answer_for_client(by, flag):
        raise PermissionDenied
    if flag.status != FlagStatus.DUPLICATE or flag.duplicate_of_id is None or flag.duplicate_of_id != found:
        raise ValidationError(_("This red flag is not marked as a duplicate."))
    kept = rows[found]
    merges = FlagEvent.objects.filter(flag=kept, kind=EventKind.MERGED, data__duplicate=flag.pk)
    merge = merges.order_by("-at", "-pk").first()
    raised_from = (merge.data or {}).get("severity_before") if merge else None
    raised_to = (merge.data or {}).get("severity_after") if merge else None
    severity_before = kept.severity
    if raised_from and raised_to != raised_from and kept.severity == raised_to and kept.status not in FINAL_STATUSES:
        others = RedFlag.objects.filter(duplicate_of=kept).exclude(pk=flag.pk).values_list("severity", flat=True)
        kept.severity = _higher(raised_from, *others)
        coverage, path = _rules(kept)
        first = min(path.levels, default=kept.level)
        kept.response_target, kept.resolution_target = coverage.targets(
            path=path, level=first, severity=kept.severity, on=timers.raise_day(kept, coverage)
        )
    flag.status = FlagStatus.OPEN
    flag.duplicate_of = None
    flag.closed_at = None
    coverage, path = _rules(flag)
    timers.enter_level(flag, level=flag.level, coverage=coverage, path=path, now=now)
    event(flag, EventKind.UNMARKED, by=by, now=now, original=kept.pk, original_title=kept.title)
    event(
        kept,
        EventKind.UNMERGED,
        by=by,
        now=now,
        duplicate=flag.pk,
        duplicate_title=flag.title,
        severity_before=severity_before,
        severity_after=kept.severity,
    )
    save(flag, now)
    save(kept, now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:unmarked:{now.isoformat()}",
        kind="reopened",
        now=now,
        staff=[flag.owner],
        clients=[],
        actor=actor_name(by),
        body=_("No longer a duplicate of “%(title)s”.") % {"title": kept.title},
        due_at=flag.ack_due_at,
    )
    return flag
