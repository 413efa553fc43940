"""Who a level means for an engagement, and who is on duty: resolved for many flags at once, in a constant number of
queries, so the sweep's cost does not grow with what is due.

A level's responsible role resolves per engagement: the acting PM (the deputy while the PM is away), the CSM, the
delivery directors, the executives, or a named person. The owner of a flag at a level is the first of them. Told on
entry: the responsible people, the roles and the people the level names. Deactivated accounts are left out.
"""

from collections import defaultdict

from django.utils import timezone

from accounts.models import Role, StaffAbsence, User
from engagements.models import Engagement
from engagements.services import engagement_acting_pm

from .coverage import LevelRules, PathRules
from .models import FlagFollower, LevelRole, OnCallOverride, OnCallShift

# What escalations read of a person they route to or notify (who, which side, whether active, and what a notification
# needs: address, language, zone): whole rows for thousands of recipients cost the sweep more than the rest of a batch.
PERSON_FIELDS = ("id", "role", "is_active", "full_name", "email", "language", "time_zone", "organization_id")

ROLE_TO_USER_ROLE = {LevelRole.DIRECTOR: Role.DIRECTOR, LevelRole.EXECUTIVE: Role.EXECUTIVE}


def _unique_active(users) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


class People:
    """The people behind levels and rotas for a set of engagements, loaded once."""

    def __init__(self, *, engagement_ids, now, paths: list[PathRules] = (), rota_ids=()):
        self.now = now
        # The engagements and their people in two queries, each person loaded once however many engagements they
        # work on (a thousand engagements share a few dozen CSMs and PMs).
        self.engagements: dict[int, Engagement] = Engagement.objects.only(
            "id", "name", "client_id", "csm_id", "pm_id", "deputy_pm_id"
        ).in_bulk(set(engagement_ids))
        staff = User.objects.only(*PERSON_FIELDS).in_bulk(
            {pk for e in self.engagements.values() for pk in (e.csm_id, e.pm_id, e.deputy_pm_id) if pk}
        )
        for engagement in self.engagements.values():
            engagement.csm = staff.get(engagement.csm_id)
            engagement.pm = staff.get(engagement.pm_id)
            engagement.deputy_pm = staff.get(engagement.deputy_pm_id)
        today = timezone.localdate(now)
        pm_ids = {e.pm_id for e in self.engagements.values() if e.pm_id}
        self._absences = list(StaffAbsence.objects.filter(user_id__in=pm_ids).covering(today)) if pm_ids else []
        self._today = today
        by_role = defaultdict(list)
        for user in User.objects.filter(role__in=ROLE_TO_USER_ROLE.values(), is_active=True).order_by(
            "full_name", "pk"
        ):
            by_role[user.role].append(user)
        self._by_role = by_role
        named = set()
        for path in paths:
            for level in path.levels.values():
                if level.person_id:
                    named.add(level.person_id)
                named.update(level.notify_people)
        self._named = User.objects.in_bulk(named) if named else {}
        self._on_duty = self._load_on_duty(set(rota_ids) - {None}) if rota_ids else {}

    def engagement(self, engagement_id: int) -> Engagement:
        return self.engagements[engagement_id]

    def _load_on_duty(self, rota_ids) -> dict:
        if not rota_ids:
            return {}
        on_duty = {}
        for shift in OnCallShift.objects.filter(
            rota_id__in=rota_ids, starts_at__lte=self.now, ends_at__gt=self.now
        ).select_related("person"):
            on_duty[shift.rota_id] = shift.person
        # An override wins over the shift; the latest override wins over an older one.
        for override in (
            OnCallOverride.objects.filter(rota_id__in=rota_ids, starts_at__lte=self.now, ends_at__gt=self.now)
            .select_related("person")
            .order_by("created_at", "pk")
        ):
            on_duty[override.rota_id] = override.person
        return on_duty

    def on_duty(self, rota_id) -> User | None:
        person = self._on_duty.get(rota_id)
        return person if person is not None and person.is_active else None

    def for_role(self, engagement: Engagement, role: str, person_id=None) -> list[User]:
        if role == LevelRole.PM:
            acting = engagement_acting_pm(engagement, on=self._today, absences=self._absences)
            return _unique_active([acting or engagement.csm])
        if role == LevelRole.CSM:
            return _unique_active([engagement.csm])
        if role in ROLE_TO_USER_ROLE:
            return list(self._by_role[ROLE_TO_USER_ROLE[role]])
        if role == LevelRole.PERSON and person_id:
            return _unique_active([self._named.get(person_id)])
        return []

    def responsible(self, engagement: Engagement, level: LevelRules) -> list[User]:
        people = self.for_role(engagement, level.responsible, level.person_id)
        # Nobody left at a level (the only director deactivated): the CSM answers rather than nobody.
        return people or _unique_active([engagement.csm])

    def told_on_entry(self, engagement: Engagement, level: LevelRules) -> list[User]:
        people = list(self.responsible(engagement, level))
        for role in level.notify_roles:
            people.extend(self.for_role(engagement, role))
        people.extend(self._named.get(pk) for pk in level.notify_people)
        return _unique_active(people)


def followers_of(flag_ids) -> dict[int, list[User]]:
    """The client people following each flag (reporter and merged reporters), active ones only. Each person is
    loaded once however many flags they follow, with the columns a notification's recipient needs."""
    rows = list(
        FlagFollower.objects.filter(flag_id__in=set(flag_ids), user__is_active=True)
        .order_by("pk")  # in the order they came, as the sweep's SQL path tells them
        .values_list("flag_id", "user_id")
    )
    people = User.objects.only(*PERSON_FIELDS).in_bulk({user_id for _flag_id, user_id in rows})
    followers = defaultdict(list)
    for flag_id, user_id in rows:
        if user_id in people:
            followers[flag_id].append(people[user_id])
    return followers


def route(flag, *, coverage, path: PathRules, level: int, people: People, now) -> tuple[User | None, list[User]]:
    """The owner of ``flag`` at ``level`` and everyone told on entry (the owner first).

    On a 24/7 engagement a critical flag that arrives at the first level outside business hours goes to the person
    on duty first: they own it, and the level's people are told as usual."""
    level_rules = path.level(level)
    engagement = people.engagement(flag.engagement_id)
    told = people.told_on_entry(engagement, level_rules)
    responsible = people.responsible(engagement, level_rules)
    owner = responsible[0] if responsible else None
    first_level = min(path.levels)
    if (
        level == first_level
        and flag.severity == "critical"
        and coverage.around_the_clock
        and coverage.rota_id
        and not coverage.hours.is_working(now)
    ):
        on_duty = people.on_duty(coverage.rota_id)
        if on_duty is not None:
            owner = on_duty
    if owner is not None:
        told = _unique_active([owner, *told])
    return owner, told
