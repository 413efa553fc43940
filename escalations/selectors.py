"""Escalations' reads. Each page's query count is constant: it does not grow with flags, events or comments.

For other apps (governance puts them on meeting agendas; the top layer composes pages and health):

- ``red_flags_open_for_engagement(engagement, *, user=None)``: the flags the vendor is still working on;
- ``sla_figures(*, engagement=None, client=None, user=None, scope="overall", now=None)``: the SLA report;
- ``open_red_flag_count_expression()``: the number of open flags of the engagement row it is annotated on;
- ``client_action_steps(*, user)``: client-side action-plan steps, for the client's task list.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Count, DateTimeField, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Role, User
from accounts.services import may_record_absence_of
from checklists.task_sources import ClientTask
from engagements.models import Engagement
from receipts.selectors import with_receipt

from . import sla
from .coverage import MisconfiguredPath, coverage_for, rules_for_paths
from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ActionStep,
    BusinessCalendar,
    EngagementCoverage,
    Escalation,
    FlagAttachment,
    FlagEvent,
    FlagFollower,
    FlagPause,
    FlagStatus,
    OnCallOverride,
    OnCallRota,
    OnCallShift,
    OverrideSource,
    PathText,
    RedFlag,
    Severity,
    Weekday,
)
from .receipts import KIND as RECEIPT_KIND

SEVERITY_ORDER = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

STATUS_GROUPS = {
    "open": OPEN_STATUSES,
    "waiting": (FlagStatus.WAITING,),
    "resolved": (FlagStatus.RESOLVED,),
    "closed": FINAL_STATUSES,
}


# --- For other apps -----------------------------------------------------------------------------------------------


def red_flags_open_for_engagement(engagement: Engagement, *, user: User | None = None):
    """Open flags of an engagement (most severe first); with ``user``, only if they may see them."""
    flags = RedFlag.objects.visible_to(user) if user is not None else RedFlag.objects.all()
    return (
        flags.filter(engagement=engagement, status__in=OPEN_STATUSES)
        .select_related("owner")
        .annotate(severity_order=SEVERITY_ORDER)
        .order_by("severity_order", "raised_at", "pk")
    )


def open_red_flag_count_expression():
    """Open red flags of the engagement row this is annotated on (``OuterRef("pk")``), for health and lists."""
    return Coalesce(
        Subquery(
            RedFlag.objects.filter(engagement=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by()
            .values("engagement")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def sla_figures(*, engagement=None, client=None, user=None, scope: str = "overall", months=None, now=None):
    """The SLA report (``sla.sla_report``) of an engagement, a client or everything ``user`` may see."""
    flags = RedFlag.objects.visible_to(user) if user is not None else RedFlag.objects.all()
    if engagement is not None:
        flags = flags.filter(engagement=engagement)
    if client is not None:
        flags = flags.filter(engagement__client=client)
    if months:
        flags = flags.filter(sla_month__in=months)
    return sla.sla_report(flags, scope=scope, now=now)


def client_action_steps(*, user: User):
    """Client-side steps of agreed action plans on the client's flags, open ones first by due date."""
    return (
        ActionStep.objects.visible_to(user)
        .client_side()
        .filter(flag__plan_agreed_at__isnull=False)
        .exclude(flag__status__in=FINAL_STATUSES)
        .select_related("flag", "owner")
        .order_by(F("done_at").desc(nulls_first=True), "due_on", "pk")
    )


# --- Staff pages ---------------------------------------------------------------------------------------------------


def flag_list(
    *,
    user: User,
    status: str = "open",
    severity: str = "",
    level: str = "",
    engagement: str = "",
    mine: bool = False,
    query: str = "",
):
    flags = RedFlag.objects.visible_to(user).select_related("engagement__client", "owner")
    if status in STATUS_GROUPS:
        flags = flags.filter(status__in=STATUS_GROUPS[status])
    if severity in Severity.values:
        flags = flags.filter(severity=severity)
    if level.isdigit():
        flags = flags.filter(level=int(level))
    if engagement.isdigit():
        flags = flags.filter(engagement_id=int(engagement))
    if mine:
        flags = flags.filter(owner=user)
    if query:
        flags = flags.filter(Q(title__icontains=query) | Q(engagement__client__name__icontains=query))
    # The deadline the list shows (acknowledge, else resolve, else closing itself) and when it warns: the nearest
    # first, so what breaches next is on top; severity breaks ties.
    return flags.annotate(
        severity_order=SEVERITY_ORDER,
        deadline=Case(
            When(ack_due_at__isnull=False, then=F("ack_due_at")),
            When(resolve_due_at__isnull=False, then=F("resolve_due_at")),
            default=F("auto_close_at"),
        ),
        deadline_warn_at=Case(
            When(ack_due_at__isnull=False, then=F("ack_warn_at")),
            When(resolve_due_at__isnull=False, then=F("resolve_warn_at")),
            default=Value(None, output_field=DateTimeField()),
        ),
    ).order_by(F("deadline").asc(nulls_last=True), "severity_order", "-raised_at", "pk")


def engagements_for_raising(*, user: User):
    """Engagements staff may raise a red flag on for the client: the active ones they work on."""
    return Engagement.objects.worked_on_by(user).active().select_related("client").order_by("client__name", "name")


def flag_list_engagements(*, user: User):
    return Engagement.objects.visible_to(user).filter(red_flags__isnull=False).distinct().select_related("client")


@dataclass
class LevelView:
    position: int
    name: str
    text: str
    acknowledge_within: timedelta | None
    resolve_within: timedelta | None


@dataclass
class FlagPage:
    flag: RedFlag
    events: list
    steps: list
    attachments: list
    pauses: list
    escalations: list
    followers: list
    duplicates: list
    levels: list  # LevelView, the path the flag climbs (with this flag's deadlines per level)
    around_the_clock: bool
    calendar_zone: str
    open_pause: FlagPause | None = None
    level_name: str = ""
    last_level: int = 1
    others: list = field(default_factory=list)  # other live flags of the engagement (to mark as original)


def _texts_for(path_ids, language: str) -> dict:
    """{(path_id, level_id or None): text} in ``language``, else English, else any language."""
    texts = {}
    ranked = sorted(
        PathText.objects.filter(path_id__in=path_ids),
        key=lambda t: 0 if t.language == language else 1 if t.language == "en" else 2,
        reverse=True,
    )
    for text in ranked:
        texts[(text.path_id, text.level_id)] = text.text
    return texts


def flag_queryset_for_page(*, user: User):
    return RedFlag.objects.visible_to(user).select_related(
        "engagement__client", "owner", "reporter", "raised_by", "duplicate_of", "plan_agreed_by", "confirmed_by"
    )


def flag_page(*, flag: RedFlag, user: User, now=None) -> FlagPage:
    """Everything a flag's page shows, in a constant number of queries; a client user sees no internal line."""
    now = now or timezone.now()
    # Every child of the flag is read through its own queryset's client filter (``for_viewer``): what a client may
    # see of each is written once, on the model, and the page cannot forget it.
    events = list(
        with_receipt(FlagEvent.objects.for_viewer(user).filter(flag=flag), RECEIPT_KIND)
        .select_related("actor")
        .order_by("at", "pk")
    )
    steps = list(
        ActionStep.objects.for_viewer(user)
        .filter(flag=flag)
        .select_related("owner")
        .order_by("position", "due_on", "pk")
    )
    # A duplicate's files are the kept flag's evidence too: listed on it, marked with the report they came with.
    attachments = list(
        FlagAttachment.objects.for_viewer(user)
        .filter(Q(flag=flag) | Q(flag__duplicate_of=flag))
        .select_related("attachment", "added_by", "event", "flag")
    )
    pauses = list(FlagPause.objects.for_viewer(user).filter(flag=flag).select_related("started_by", "ended_by"))
    escalations = list(Escalation.objects.for_viewer(user).filter(flag=flag).select_related("owner", "by"))
    followers = [f.user for f in FlagFollower.objects.for_viewer(user).filter(flag=flag).select_related("user")]
    duplicates = list(RedFlag.objects.filter(duplicate_of=flag).select_related("reporter"))
    rules = rules_for_paths([flag.path_id])[flag.path_id]
    coverage = coverage_for([flag.engagement_id], path_rules={flag.path_id: rules})[flag.engagement_id]
    texts = _texts_for([flag.path_id], translation.get_language() or "en")
    raise_day = flag.raised_at.astimezone(coverage.zone).date()
    levels = []
    for position, level in sorted(rules.levels.items()):
        try:
            acknowledge, resolve = coverage.targets(path=rules, level=position, severity=flag.severity, on=raise_day)
        except MisconfiguredPath:  # a level without this severity's deadline: shown without one
            acknowledge = resolve = None
        levels.append(
            LevelView(
                position=position,
                name=level.name,
                text=texts.get((flag.path_id, level.level_id), ""),
                acknowledge_within=acknowledge,
                resolve_within=resolve,
            )
        )
    others = []
    if user.is_key_user and flag.status not in FINAL_STATUSES:
        others = list(
            RedFlag.objects.visible_to(user)
            .filter(engagement_id=flag.engagement_id)
            .exclude(pk=flag.pk)
            .exclude(status__in=FINAL_STATUSES)
            .only("pk", "title", "raised_at")
        )
    return FlagPage(
        flag=flag,
        events=events,
        steps=steps,
        attachments=attachments,
        pauses=pauses,
        escalations=escalations,
        followers=followers,
        duplicates=duplicates,
        levels=levels,
        around_the_clock=coverage.around_the_clock,
        calendar_zone=str(coverage.zone),
        open_pause=next((p for p in pauses if p.ended_at is None), None),
        level_name=rules.levels[flag.level].name if flag.level in rules.levels else "",
        last_level=rules.last_level,
        others=others,
    )


def step_owner_choices(flag: RedFlag):
    """People a step may belong to: the engagement's vendor team and the client's active people."""
    engagement = flag.engagement
    team = Q(pk__in=[engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id]) | Q(
        engagement_memberships__engagement=engagement
    )
    return (
        User.objects.filter(is_active=True)
        .filter(team | Q(organization_id=engagement.client_id))
        .distinct()
        .order_by("organization__kind", "full_name")
    )


def client_people(engagement: Engagement):
    return User.objects.filter(
        organization_id=engagement.client_id, is_active=True, role__in=[Role.CLIENT_KEY_USER, Role.CLIENT_MEMBER]
    ).order_by("full_name")


# --- Portal ------------------------------------------------------------------------------------------------------


def client_flags(*, user: User):
    return (
        RedFlag.objects.visible_to(user)
        .select_related("engagement", "owner")
        .annotate(severity_order=SEVERITY_ORDER)
        .order_by(
            Case(When(status__in=FINAL_STATUSES, then=Value(1)), default=Value(0)), "severity_order", "-raised_at"
        )
    )


@dataclass
class PathView:
    engagement: Engagement
    intro: str
    levels: list  # LevelView per severity: [(level, {severity: (ack, resolve)})]
    around_the_clock: bool
    zone: str
    windows: list  # (weekday label, "09:00-17:00, ...")
    severities: list


def escalation_paths_for_client(*, user: User, today=None) -> list[PathView]:
    """For each engagement the client sees: the escalation path in plain language (reader's language, else English)
    with each level's deadlines per severity (the contract's at the first level when it applies) and the hours
    they count in."""
    engagements = list(Engagement.objects.visible_to(user).active().order_by("name"))
    coverage = coverage_for([e.pk for e in engagements])
    path_ids = {c.path.path_id for c in coverage.values() if c.path}
    texts = _texts_for(path_ids, translation.get_language() or "en")
    settings_rows = {
        row.engagement_id: row.calendar_id for row in EngagementCoverage.objects.filter(engagement__in=engagements)
    }
    default_calendar = BusinessCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    calendars = BusinessCalendar.objects.filter(
        pk__in={*settings_rows.values(), default_calendar} - {None}
    ).prefetch_related("windows")
    windows_by_calendar = {}
    for calendar in calendars:
        by_day = {}
        for window in calendar.windows.all():
            by_day.setdefault(window.weekday, []).append(f"{window.starts_at:%H:%M}–{window.ends_at:%H:%M}")
        windows_by_calendar[calendar.pk] = [
            (Weekday(day).label, ", ".join(spans)) for day, spans in sorted(by_day.items())
        ]
    today = today or timezone.localdate()
    views = []
    for engagement in engagements:
        cover = coverage[engagement.pk]
        if cover.path is None:
            continue
        path = cover.path
        levels = []
        for position, level in sorted(path.levels.items()):
            deadlines = {}
            for severity in Severity.values:
                try:
                    deadlines[severity] = cover.targets(path=path, level=position, severity=severity, on=today)
                except MisconfiguredPath:
                    deadlines[severity] = (None, None)
            levels.append((position, texts.get((path.path_id, level.level_id), ""), deadlines))
        views.append(
            PathView(
                engagement=engagement,
                intro=texts.get((path.path_id, None), ""),
                levels=levels,
                around_the_clock=cover.around_the_clock,
                zone=str(cover.zone),
                windows=windows_by_calendar.get(settings_rows.get(engagement.pk) or default_calendar, []),
                severities=[(s, Severity(s).label) for s in Severity.values],
            )
        )
    return views


# --- Rota ---------------------------------------------------------------------------------------------------------


@dataclass
class RotaView:
    rota: OnCallRota
    on_duty: User | None
    shifts: list
    overrides: list
    engagements: list


def rota_overview(*, user: User, now=None, days: int = 28) -> list[RotaView]:
    """Every rota with who is on duty now, the shifts and overrides of the coming ``days`` and, of the engagements
    it covers, those ``user`` sees; staff only (``OnCallRota.objects.visible_to``). An override made from an
    absence carries the absence's note: it is kept only for those who may see that absence's details
    (``accounts.services.may_record_absence_of``: its person, directors and admins)."""

    now = now or timezone.now()
    until = now + timedelta(days=days)
    rotas = list(
        OnCallRota.objects.visible_to(user)
        .select_related("backup")
        .prefetch_related(
            Prefetch(
                "shifts",
                queryset=OnCallShift.objects.filter(ends_at__gt=now, starts_at__lt=until).select_related("person"),
            ),
            Prefetch(
                "overrides",
                queryset=OnCallOverride.objects.filter(ends_at__gt=now, starts_at__lt=until).select_related(
                    "person", "replaces"
                ),
            ),
        )
    )
    covered = {}
    for row in EngagementCoverage.objects.filter(
        rota__in=rotas, engagement__in=Engagement.objects.visible_to(user)
    ).select_related("engagement__client"):
        covered.setdefault(row.rota_id, []).append(row.engagement)
    views = []
    for rota in rotas:
        shifts, overrides = list(rota.shifts.all()), list(rota.overrides.all())
        for override in overrides:
            # Blanked here, so no page built on this view can show someone else's absence note.
            if override.source == OverrideSource.ABSENCE and not (
                override.replaces is not None and may_record_absence_of(user, override.replaces)
            ):
                override.reason = ""
        on_duty = next(
            (
                o.person
                for o in sorted(overrides, key=lambda o: o.created_at, reverse=True)
                if o.starts_at <= now < o.ends_at
            ),
            None,
        )
        if on_duty is None and not any(o.starts_at <= now < o.ends_at for o in overrides):
            on_duty = next((s.person for s in shifts if s.starts_at <= now < s.ends_at), None)
        views.append(
            RotaView(
                rota=rota, on_duty=on_duty, shifts=shifts, overrides=overrides, engagements=covered.get(rota.pk, [])
            )
        )
    return views


__all__ = [
    "client_action_steps",
    "client_flags",
    "escalation_paths_for_client",
    "flag_list",
    "flag_page",
    "open_red_flag_count_expression",
    "red_flags_open_for_engagement",
    "rota_overview",
    "sla_figures",
]


def client_task_source(*, user: User, today):
    """Client-side steps of agreed action plans as the portal task list shows them (``checklists.task_sources``)."""
    return [
        ClientTask(
            title=step.title,
            project=step.flag.engagement.name,
            url=reverse("portal:flag", args=[step.flag_id]) + "#plan",
            source=gettext("Action plan: %(flag)s") % {"flag": step.flag.title},
            due_on=step.due_on,
            owner=str(step.owner),
            done=not step.is_open,
            overdue=step.is_open and step.due_on < today,
            engagement_id=step.flag.engagement_id,
        )
        for step in client_action_steps(user=user).select_related("flag__engagement")
    ]


def client_flag_requests(*, user: User, today):
    """What the client's red flags ask of ``user`` (``checklists.task_sources``), in two queries: each flag waiting
    on the client, with the question (the open pause's reason), for every client person who sees it; each resolved
    flag whose resolution is theirs to confirm (``may_answer_for_client``: who decides for the client)."""
    from engagements import policy

    open_pause = Prefetch("pauses", queryset=FlagPause.objects.filter(ended_at__isnull=True), to_attr="open_pauses")
    waiting = (
        RedFlag.objects.visible_to(user)
        .filter(status=FlagStatus.WAITING)
        .select_related("engagement")
        .prefetch_related(open_pause)
        .order_by("raised_at", "pk")
    )
    tasks = [
        ClientTask(
            title=gettext("Answer on the red flag “%(title)s”") % {"title": flag.title},
            project=flag.engagement.name,
            url=reverse("portal:flag", args=[flag.pk]),
            source=gettext("Red flag waiting on you"),
            engagement_id=flag.engagement_id,
            detail=flag.open_pauses[0].reason if flag.open_pauses else "",
        )
        for flag in waiting
    ]
    to_confirm = (
        RedFlag.objects.visible_to(user)
        .filter(status=FlagStatus.RESOLVED, engagement__in=policy.engagements_decided_by(user))
        .select_related("engagement")
        .order_by("resolved_at", "pk")
    )
    tasks += [
        ClientTask(
            title=gettext("Confirm the resolution of “%(title)s”") % {"title": flag.title},
            project=flag.engagement.name,
            url=reverse("portal:flag", args=[flag.pk]),
            source=gettext("Red flag resolved: confirm or reopen"),
            engagement_id=flag.engagement_id,
        )
        for flag in to_confirm
    ]
    return tasks
