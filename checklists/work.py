"""Checklists' lists on "My work" (``engagements.work``), registered in ``ChecklistsConfig.ready``: items assigned to
the person that are due soon or overdue, items handed to them as a deputy (and handed back after their own absence),
client comments waiting for an answer, and stages that wait for the client's acceptance. Each list is two queries
(the first entries and the count), whatever the amount of data."""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CLIENT_ROLES, StaffAbsence
from engagements import policy
from engagements.models import Phase
from engagements.work import WorkEntry, WorkList, WorkResult, engagement_link, register_list, result_of

from .models import ChecklistItem, ChecklistStage, ItemComment

# "Due soon" on My work: within the coming week (the reminders' own lead time is shorter).
DUE_SOON_DAYS = 7
# How long after an absence its "handed back" list stays on the returning person's My work.
HANDED_BACK_DAYS = 7


def _engagement(item_or_stage) -> tuple[str, str]:
    return engagement_link(
        item_or_stage.stage.engagement if hasattr(item_or_stage, "stage") else item_or_stage.engagement
    )


def _item_entry(item, *, today: date, note: str = "") -> WorkEntry:
    engagement, engagement_url = _engagement(item)
    return WorkEntry(
        title=item.title,
        url=reverse("checklists:item", args=[item.pk]),
        engagement=engagement,
        engagement_url=engagement_url,
        due_on=item.due_on,
        overdue=item.is_overdue(today),
        note=note,
    )


def _open_items():
    return (
        ChecklistItem.objects.open()
        .exclude(stage__engagement__phase=Phase.CLOSED)
        .select_related("stage__engagement__client")
    )


def assigned_due(*, user, today: date, limit: int) -> WorkResult:
    items = _open_items().filter(assignee=user, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
    return result_of(items.order_by("due_on", "pk"), limit, lambda item: _item_entry(item, today=today))


def handed_over(*, user, today: date, limit: int) -> WorkResult:
    """Open items assigned to a PM who is away today, on the engagements where ``user`` is the deputy PM."""
    away = StaffAbsence.objects.covering(today).filter(user=OuterRef("assignee"))
    items = (
        _open_items()
        .filter(stage__engagement__deputy_pm=user, assignee=F("stage__engagement__pm"))
        .filter(Exists(away))
        .annotate(away_until=Subquery(away.order_by("-ends_on").values("ends_on")[:1]))
        .select_related("assignee")
    )

    def entry(item):
        note = _("for %(name)s, away until %(until)s") % {
            "name": item.assignee.full_name,
            "until": date_format(item.away_until, "SHORT_DATE_FORMAT"),
        }
        return _item_entry(item, today=today, note=note)

    return result_of(items.order_by(F("due_on").asc(nulls_last=True), "pk"), limit, entry)


def handed_back(*, user, today: date, limit: int) -> WorkResult:
    """After the person's own absence (for a week): what the deputy did on their engagements meanwhile, and what is
    theirs again."""
    absence = (
        StaffAbsence.objects.filter(user=user, ends_on__lt=today, ends_on__gte=today - timedelta(days=HANDED_BACK_DAYS))
        .order_by("-ends_on")
        .first()
    )
    if absence is None:
        return WorkResult()
    start = absence.starts_on
    items = (
        ChecklistItem.objects.filter(stage__engagement__pm=user, stage__engagement__deputy_pm__isnull=False)
        .exclude(stage__engagement__phase=Phase.CLOSED)
        .filter(
            Q(assignee=user, status__in=["open", "in_progress", "blocked"])
            | Q(completed_at__date__gte=start, completed_at__date__lte=absence.ends_on, completed_by__isnull=False)
            & ~Q(completed_by=user)
        )
        .select_related("stage__engagement__client", "completed_by")
    )

    def entry(item):
        if item.is_closed and item.completed_by_id:
            note = _("done by %(name)s on %(when)s while you were away") % {
                "name": item.completed_by.full_name,
                "when": date_format(item.completed_at, "SHORT_DATE_FORMAT"),
            }
        else:
            note = _("yours again")
        return _item_entry(item, today=today, note=note)

    return result_of(items.order_by(F("completed_at").desc(nulls_first=True), "due_on", "pk"), limit, entry)


def client_questions(*, user, today: date, limit: int) -> WorkResult:
    """The latest comment of the client on an item, when nobody of our side answered after it, on the engagements
    the person runs (CSM, PM, deputy PM) or on items assigned to them."""
    # Answered by a later comment of our side that the client can read; a later one of theirs takes its place (an
    # internal note is no answer).
    later = ItemComment.objects.filter(item=OuterRef("item"), created_at__gt=OuterRef("created_at")).filter(
        Q(author__role__in=CLIENT_ROLES) | Q(is_internal=False)
    )
    comments = (
        ItemComment.objects.filter(is_internal=False, author__role__in=CLIENT_ROLES)
        .exclude(item__stage__engagement__phase=Phase.CLOSED)
        .filter(
            Q(item__stage__engagement__csm=user)
            | Q(item__stage__engagement__pm=user)
            | Q(item__stage__engagement__deputy_pm=user)
            | Q(item__assignee=user)
        )
        .filter(~Exists(later))
        .select_related("author", "item__stage__engagement__client")
    )

    def entry(comment):
        item = comment.item
        engagement, engagement_url = _engagement(item)
        body = comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"
        return WorkEntry(
            title=item.title,
            url=reverse("checklists:item", args=[item.pk]) + "#comments",
            engagement=engagement,
            engagement_url=engagement_url,
            due_at=comment.created_at,
            note=_("%(name)s on %(when)s: “%(body)s”")
            % {
                "name": comment.author.full_name,
                "when": date_format(comment.created_at, "SHORT_DATE_FORMAT"),
                "body": body,
            },
        )

    return result_of(comments.order_by("created_at", "pk"), limit, entry)


def stages_awaiting_client(*, user, today: date, limit: int) -> WorkResult:
    """Stages whose work is done and that wait for the client's acceptance, on the engagements the person runs."""
    items = ChecklistItem.objects.filter(stage=OuterRef("pk"))
    stages = (
        ChecklistStage.objects.filter(acceptance_required=True, accepted_at__isnull=True)
        .filter(Q(engagement__csm=user) | Q(engagement__pm=user) | Q(engagement__deputy_pm=user))
        .exclude(engagement__phase=Phase.CLOSED)
        .filter(Exists(items), ~Exists(items.open()))
        .select_related("engagement__client")
    )

    def entry(stage):
        engagement, engagement_url = _engagement(stage)
        note = _("the client rejected it before; the rework is done") if stage.reopened_at else ""
        return WorkEntry(
            title=stage.title,
            url=engagement_url + f"#stage-{stage.pk}",
            engagement=engagement,
            engagement_url=engagement_url,
            note=note or _("all items done; waiting for the client's key user"),
        )

    return result_of(stages.order_by("engagement__client__name", "position", "pk"), limit, entry)


def register() -> None:
    staff = policy.is_staff
    register_list(
        WorkList(
            "checklists.assigned",
            gettext_lazy("Assigned to you: due soon or overdue"),
            assigned_due,
            position=10,
            for_user=staff,
            always=True,
            empty=gettext_lazy("Nothing of yours is due in the coming week."),
        )
    )
    register_list(
        WorkList(
            "checklists.handed_over",
            gettext_lazy("Handed to you as deputy"),
            handed_over,
            position=20,
            for_user=staff,
            description=gettext_lazy("Items of the PMs you stand in for, while they are away."),
        )
    )
    register_list(
        WorkList(
            "checklists.handed_back",
            gettext_lazy("Handed back after your absence"),
            handed_back,
            position=25,
            for_user=staff,
            description=gettext_lazy("What your deputy did while you were away, and what is yours again."),
        )
    )
    register_list(
        WorkList(
            "checklists.client_questions",
            gettext_lazy("Client comments and questions waiting for an answer"),
            client_questions,
            position=30,
            for_user=staff,
        )
    )
    register_list(
        WorkList(
            "checklists.stages_awaiting_client",
            gettext_lazy("Stages awaiting the client"),
            stages_awaiting_client,
            position=40,
            for_user=staff,
        )
    )
