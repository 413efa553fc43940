"""What every flag service shares: fetching a flag under its row lock for a person, loading its rules, writing
timeline lines and telling people."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments.services import attachment_store, upload_validate
from engagements import policy
from notifications.services import notify_many

from .. import messages, permissions, timers
from ..coverage import Coverage, PathRules, coverage_for, rules_for_paths
from ..models import FINAL_STATUSES, FlagAttachment, FlagEvent, FlagStatus, RedFlag
from ..recipients import People, followers_of

MAX_FILES = 5


@dataclass
class Locked:
    """A flag under its row lock, with what its timers need. ``now`` is read after the lock was taken, so an
    action that waited for a sweep is timed after it (an acknowledgement cannot predate the escalation it lost)."""

    flag: RedFlag
    coverage: Coverage
    path: PathRules
    now: object

    def people(self) -> People:
        return People(
            engagement_ids=[self.flag.engagement_id],
            now=self.now,
            paths=[self.path],
            rota_ids=[self.coverage.rota_id],
        )


def lock(flag: RedFlag | int, *, by, now=None, staff: bool = False) -> Locked:
    """Lock the flag for ``by`` (PermissionDenied when they may not see it, or are staff who may not work on its
    engagement; ``staff``: vendor staff only)."""
    if staff and not policy.is_staff(by):
        raise PermissionDenied
    flag_id = flag.pk if isinstance(flag, RedFlag) else flag
    locked = RedFlag.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=flag_id).first()
    if locked is None:
        raise PermissionDenied
    locked.engagement  # noqa: B018 - loaded once for messages and checks
    if not by.is_client_user and not permissions.may_handle_flag(by, locked):
        # Handling a flag is the team's work: staff who only read the engagement (executives) watch.
        raise PermissionDenied
    rules = rules_for_paths([locked.path_id])
    coverage = coverage_for([locked.engagement_id], path_rules=rules)[locked.engagement_id]
    return Locked(flag=locked, coverage=coverage, path=rules[locked.path_id], now=now or timezone.now())


def refuse_if_final(flag: RedFlag) -> None:
    if flag.status in FINAL_STATUSES:
        raise ValidationError(_("This red flag is closed."))


def event(
    flag: RedFlag, kind: str, *, by=None, now, body: str = "", internal: bool = False, once_key=None, **data
) -> FlagEvent:
    return FlagEvent.objects.create(
        once_key=once_key,
        flag=flag,
        kind=kind,
        actor=by,
        at=now,
        body=body,
        data=data,
        cycle=flag.cycle,
        level=flag.level,
        is_internal=internal,
    )


def save(flag: RedFlag, now) -> None:
    flag.updated_at = now
    flag.refresh_next_due()
    flag.save()


def client_informed(state: Locked) -> None:
    """The client was just told something by the vendor: the "update at least every X hours" timer restarts (once
    it runs, that is from the first acknowledgement on, and never while the clock is stopped)."""
    flag = state.flag
    if flag.status in (FlagStatus.WAITING, FlagStatus.RESOLVED, *FINAL_STATUSES):
        return
    if flag.update_due_at is not None or flag.first_response_at is not None:
        timers.start_update_timer(flag, coverage=state.coverage, path=state.path, now=state.now)
    flag.last_update_at = state.now


def validate_files(files) -> list:
    files = [f for f in files or [] if f]
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(count)s files.") % {"count": MAX_FILES})
    for uploaded in files:
        upload_validate(uploaded)
    return files


def attach(line: FlagEvent, files, *, by) -> list[FlagAttachment]:
    """Store files (already validated) through the one upload module and link them to the flag and to the timeline
    line they came with: a file posted with an internal note is as internal as the note."""
    return [
        FlagAttachment.objects.create(
            flag=line.flag,
            event=line,
            attachment=attachment_store(uploaded_file=uploaded, by=by),
            added_by=by,
            added_at=line.at,
        )
        for uploaded in files
    ]


def tell(flag: RedFlag, *, event_name: str, kind: str, now, staff=(), clients=None, category=None, **context):
    """Notify staff and the flag's followers (``clients=None``: the followers) about one occurrence."""
    if clients is None:
        clients = followers_of([flag.pk]).get(flag.pk, [])
    requests = messages.requests_for(
        flag,
        event=event_name,
        kind=kind,
        staff=staff,
        clients=clients,
        category=category or messages.RED_FLAG,
        **context,
    )
    send(requests, now=now)


def send(requests, *, now) -> None:
    """Write ``requests`` (``messages``') to the outbox in the caller's transaction."""
    if requests:
        notify_many(requests, now=now)


def columns(items, *names) -> list[list]:
    """``items``' attributes ``names`` as one list per name: the arrays a set-based statement takes."""
    return [[getattr(item, name) for item in items] for name in names]


def actor_name(user) -> str:
    return (user.full_name or user.email) if user else ""
