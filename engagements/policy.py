"""The access policy: who may see, manage and decide what. Every rule is written once, here.

Querysets (``visible_to``, ``managed_by``), services (which check again) and views (which answer 404) all
ask these functions; nothing else in the project decides access to client data. What an app adds on its own objects
(a flag's escalation, a meeting's minutes) is named in its ``permissions.py``, built only from these.

========================================  ===========================================  =========================
question                                  who                                          function
========================================  ===========================================  =========================
may see an engagement (and what is in     admins, executives, directors: all; other    ``engagement_filter``,
it)                                       vendor staff: the engagements they are CSM,  ``may_see``
                                          PM, deputy PM, account executive or team
                                          member of; client users: their own
                                          organization's
may work on an engagement (the team's     its CSM, PM, deputy PM and team members;     ``engagement_filter(
work: items, comments, records,           directors and admins (executives read         work=True)``,
stakeholder rows, promises, plan       everything and write nothing by their role    ``may_work``
steps, red-flag handling)                 alone)
may manage an engagement (shape it:       its CSM, PM and deputy PM; directors and     ``engagement_filter(
checklist structure, phase, handoff,      admins (executives only watch, team members   manage=True)``,
team, key user, removals)                 work on items)                               ``may_manage``
may change a stakeholder row              the key user's row and rows linked to a      ``may_change_stakeholder``
                                          portal account: those who manage; other
                                          rows: those who work on the engagement
may decide for the client (accept or      the portal account linked as key user on     ``may_decide``,
reject stages and the work plan)          the stakeholder map; while none is linked,   ``unlinked_deciders``,
                                          any active key user of the client not        ``engagements_decided_by``
                                          invited by someone who manages neither the
                                          engagement nor the client
may create a client                       CSMs, directors, admins (a CSM who creates   ``may_create_client``
                                          a client becomes its CSM)
may manage a client (edit its profile,    the client's CSM (``ClientProfile.csm``),    ``clients_managed_by``,
contract, billing and CSM; see and        directors, admins                            ``may_manage_client``
revoke its invitations)
may open an engagement for an existing    the same people as may manage the client:    ``clients_open_for``,
client                                    opening an engagement grants nothing over    ``may_open_engagement``
                                          the client
may invite the client's people            those who manage the client, and those who   ``clients_invitable_by``
                                          manage one of its engagements not closed
sees a client                             those who see one of its engagements, and    ``clients_seen_by``
                                          those who manage it
========================================  ===========================================  =========================

Vendor-internal records (handoff, promises, integrations, actuals, internal comments, the links not marked for
the client, how the team reads the client's people) are never shown to a client user whatever the engagement:
their querysets say so (``ScopedQuerySet.vendor_internal``, ``client_visible_filter``, ``client_visible_fields``),
and pages ask ``for_viewer(user)`` instead of passing a flag around. The client sees their own people on the
stakeholder map (names, roles, contact details) and the links marked for them (scrum board, documentation,
environments by default).

Superusers count as directors. An inactive account may do nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from accounts.models import DELIVERY_LEAD_ROLES, Invitation, Organization, Role, User

# engagements.models imports this module (its querysets are scoped by these rules, and ScopedQuerySet is here), so
# the rules import the engagement models inside the functions that query them. Splitting the two apart is a change of
# its own (the rules and the querysets built from them would move together).

# Roles that may open a new client (and become its CSM, for a CSM).
CLIENT_CREATOR_ROLES = frozenset({Role.CSM, Role.DIRECTOR, Role.VENDOR_ADMIN})

NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_staff(user) -> bool:
    """An active vendor person (or superuser): may enter the staff workspace."""
    return _active(user) and (user.is_vendor_user or user.is_superuser)


def oversees(user) -> bool:
    """Directors, admins and superusers (``User.leads_delivery``): they manage every engagement and client."""
    return is_staff(user) and user.leads_delivery


# --- Engagements ----------------------------------------------------------------------------------------------


def engagement_filter(user, *, manage: bool = False, work: bool = False) -> Q:
    """The filter on ``Engagement`` for the engagements ``user`` may see (with ``work``: work on; with ``manage``:
    manage)."""
    from .models import EngagementMember

    if not _active(user):
        return NOTHING
    if manage:
        if not is_staff(user):
            return NOTHING
        if oversees(user):
            return Q()
        return Q(csm=user) | Q(pm=user) | Q(deputy_pm=user)
    if work:
        # Seeing every engagement (an executive) is no place on its team: writes need one, or overseeing.
        if not is_staff(user):
            return NOTHING
        if oversees(user):
            return Q()
        on_team = EngagementMember.objects.filter(engagement=OuterRef("pk"), user=user)
        return Q(csm=user) | Q(pm=user) | Q(deputy_pm=user) | Exists(on_team)
    if user.sees_portfolio:
        return Q()
    if user.is_client_user:
        # Staff previewing one engagement's portal (``portfolio.preview``) read that engagement only, not the
        # client's others (which they may not see as themselves).
        previewed = getattr(user, "preview_engagement_id", None)
        if previewed is not None:
            return Q(client_id=user.organization_id, pk=previewed)
        return Q(client_id=user.organization_id)
    if not user.is_vendor_user:
        return NOTHING
    on_team = EngagementMember.objects.filter(engagement=OuterRef("pk"), user=user)
    # The account executive named on an engagement (who sold it) reads it: its page and handoff, its meetings and
    # items; working on it or shaping it takes a place on its team.
    return Q(csm=user) | Q(pm=user) | Q(deputy_pm=user) | Q(account_executive=user) | Exists(on_team)


def may_see(user, engagement) -> bool:
    from .models import Engagement

    return Engagement.objects.visible_to(user).filter(pk=engagement.pk).exists()


def may_work(user, engagement) -> bool:
    """Do the team's work on the engagement (see the module docstring): its CSM, PM, deputy PM and team members,
    and those who oversee; an executive reads it but writes nothing by their role alone."""
    from .models import EngagementMember

    if not is_staff(user):
        return False
    if oversees(user) or user.pk in (engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id):
        return True
    return EngagementMember.objects.filter(engagement_id=engagement.pk, user=user).exists()


def may_manage(user, engagement) -> bool:
    """Shape the engagement (see the module docstring); a Python mirror of ``engagement_filter(manage=True)``
    so a page or service asks without a query (``test_policy`` checks the two agree)."""
    if not is_staff(user):
        return False
    return oversees(user) or user.pk in (engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id)


def may_change_stakeholder(user, stakeholder) -> bool:
    """Edit or remove a row of the stakeholder map: the team (``may_work``) for a row not linked to a portal
    account; the key user's row and every row linked to an account (invitations and meeting invitations go to its
    address) only those who manage the engagement."""
    if stakeholder.is_key_user or stakeholder.user_id:
        return may_manage(user, stakeholder.engagement)
    return may_work(user, stakeholder.engagement)


def unlinked_deciders(engagement) -> models.QuerySet:
    """The key users who decide for the client on ``engagement`` while no key user is linked on its map: the client's
    active key users, except those invited by someone who manages neither this engagement nor the client.

    Whoever manages one engagement of a client may invite its people (``clients_invitable_by``); were every key
    user of the client a decider, the PM of one engagement could invite an address of their own as key user and
    accept another team's work plan in the client's name (a forged decider, one engagement over). So a key user
    brought in by an engagement's managers decides on the engagements their inviter manages (on all of the client's
    if the inviter manages the client); accounts made without an invitation (by an admin) decide on all. The
    inviter's position is what counts, not whether their account is still active: a CSM who left does not strip
    the key users they brought in, while their engagements are still theirs."""
    vouching = User.objects.filter(
        Q(pk__in=[pk for pk in (engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id) if pk])
        | Q(is_superuser=True)
        | Q(role__in=DELIVERY_LEAD_ROLES)
        | Q(client_profiles__organization_id=engagement.client_id)
    ).values("pk")
    brought_in_by_an_outsider = Invitation.objects.filter(user=OuterRef("pk")).exclude(invited_by__in=vouching)
    return User.objects.filter(organization_id=engagement.client_id, role=Role.CLIENT_KEY_USER, is_active=True).exclude(
        Exists(brought_in_by_an_outsider)
    )


def key_user_of(engagement) -> User | None:
    """The account that decides for the client: the one linked as key user on the stakeholder map, else the most
    recent of ``unlinked_deciders``; ``None`` when there is none."""
    from .models import Stakeholder

    linked = (
        Stakeholder.objects.filter(engagement=engagement, is_key_user=True, user__isnull=False)
        .select_related("user")
        .first()
    )
    if linked is not None:
        return linked.user
    return unlinked_deciders(engagement).order_by("-pk").first()


def may_decide(user, engagement) -> bool:
    """Accept or reject for the client: the key user linked on the stakeholder map; while none is linked, the
    client's active key users in ``unlinked_deciders``."""
    from .models import Stakeholder

    if not _active(user) or not user.is_key_user or user.organization_id != engagement.client_id:
        return False
    linked = (
        Stakeholder.objects.filter(engagement=engagement, is_key_user=True, user__isnull=False)
        .values_list("user_id", flat=True)
        .first()
    )
    if linked is not None:
        return linked == user.pk
    return unlinked_deciders(engagement).filter(pk=user.pk).exists()


def engagements_decided_by(user) -> models.QuerySet:
    """The engagements ``user`` decides on for the client: ``may_decide`` for many engagements at once, in SQL
    (one query for the user's invitations, then one queryset), so a page listing what awaits their decision runs
    the same number of queries whatever the number of engagements. ``test_policy`` checks it agrees with
    ``may_decide``."""
    from .models import Engagement, Stakeholder

    if not _active(user) or not user.is_key_user or user.organization_id is None:
        return Engagement.objects.none()
    linked = Stakeholder.objects.filter(engagement=OuterRef("pk"), is_key_user=True, user__isnull=False)
    # ``unlinked_deciders`` from the decider's side: each of their invitations must come from someone who vouches
    # for the engagement (its managers, the client's CSM) or for every engagement (directors, admins, superusers).
    vouched = Q()
    for inviter_id, is_superuser, role in Invitation.objects.filter(user=user).values_list(
        "invited_by_id", "invited_by__is_superuser", "invited_by__role"
    ):
        if inviter_id is None:
            vouched &= NOTHING
        elif not (is_superuser or role in DELIVERY_LEAD_ROLES):
            vouched &= (
                Q(csm_id=inviter_id)
                | Q(pm_id=inviter_id)
                | Q(deputy_pm_id=inviter_id)
                | Q(client__client_profile__csm_id=inviter_id)
            )
    return Engagement.objects.visible_to(user).filter(
        Q(client_id=user.organization_id),
        Exists(linked.filter(user=user)) | (~Exists(linked) & vouched),
    )


# --- Clients ----------------------------------------------------------------------------------------------------


def may_create_client(user) -> bool:
    return is_staff(user) and (user.is_superuser or user.role in CLIENT_CREATOR_ROLES)


def clients_managed_by(user) -> models.QuerySet:
    """Client organizations whose profile, contract, billing, CSM and invitations ``user`` manages."""
    clients = Organization.objects.clients()
    if not is_staff(user):
        return clients.none()
    if oversees(user):
        return clients
    return clients.filter(client_profile__csm=user)


def may_manage_client(user, organization) -> bool:
    return clients_managed_by(user).filter(pk=organization.pk).exists()


def clients_exportable_by(user) -> models.QuerySet:
    """Client organizations whose data ``user`` may take out as an export (``client_data``): admins and
    superusers every client, a CSM the clients they are CSM of. Directors and executives manage clients but do
    not take a client's data out of the portal."""
    clients = Organization.objects.clients()
    if not is_staff(user):
        return clients.none()
    if user.is_superuser or user.role == Role.VENDOR_ADMIN:
        return clients
    if user.role == Role.CSM:
        return clients.filter(client_profile__csm=user)
    return clients.none()


def may_export_client_data(user, organization) -> bool:
    return clients_exportable_by(user).filter(pk=organization.pk).exists()


def clients_open_for(user) -> models.QuerySet:
    """Existing clients ``user`` may open an engagement for: the ones they manage (a new client is opened
    through ``client_create``, which makes a CSM its CSM)."""
    return clients_managed_by(user)


def may_open_engagement(user, organization) -> bool:
    return clients_open_for(user).filter(pk=organization.pk).exists()


def clients_invitable_by(user) -> models.QuerySet:
    """Clients whose people ``user`` may invite: those they manage, and those of an engagement they manage
    that is not closed (the engagement's managers bring its client's people in; its team does not)."""
    from .models import Engagement, Phase

    if not is_staff(user):
        return Organization.objects.none()
    if oversees(user):
        return Organization.objects.clients()
    managed = Engagement.objects.managed_by(user).exclude(phase=Phase.CLOSED).values("client_id")
    return Organization.objects.clients().filter(Q(client_profile__csm=user) | Q(pk__in=managed))


def clients_seen_by(user) -> models.QuerySet:
    """Client organizations ``user`` sees: through the engagements they see, and the ones they manage."""
    from .models import Engagement

    clients = Organization.objects.clients()
    if not _active(user):
        return clients.none()
    if user.sees_portfolio:
        return clients
    if user.is_client_user:
        return clients.filter(pk=user.organization_id)
    if not user.is_vendor_user:
        return clients.none()
    seen = Engagement.objects.visible_to(user).values("client_id")
    return clients.filter(Q(pk__in=seen) | Q(client_profile__csm=user))


# --- The base every scoped queryset uses --------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an engagement: ``visible_to(user)`` is written here, once.

    A subclass declares where its engagement is and what a client may see of it::

        class StageActualQuerySet(ScopedQuerySet):
            engagement_path = "stage__engagement"   # the lookup from this model to its Engagement
            vendor_internal = True                   # never shown to a client user

        class ItemCommentQuerySet(ScopedQuerySet):
            engagement_path = "item__stage__engagement"
            client_visible_filter = Q(is_internal=False)   # what a client user sees of it

        class StageActual(models.Model):
            objects = StageActualQuerySet.as_manager()

    Then, everywhere:

    - ``Model.objects.visible_to(user)``: the rows ``user`` may see (the engagement visible to them and, for a
      client user, only what is client-visible); views fetch through it, so another client's row is a 404.
    - ``Model.objects.worked_on_by(user)``: the rows of engagements ``user`` works on (the team's write URLs).
    - ``Model.objects.managed_by(user)``: the rows of engagements ``user`` manages (edit/remove URLs).
    - ``.client_visible()``: what any client user may see; ``.for_viewer(user)`` applies it to client users
      only (for pages that already hold a visible engagement).

    Governance and escalations models use the same base: declare ``engagement_path`` (and, if needed,
    ``vendor_internal`` or ``client_visible_filter``) and never write ``visible_to`` again.
    """

    engagement_path = "engagement"
    vendor_internal = False
    client_visible_filter: Q | None = None
    # The fields a client may read, when not all are theirs to read (the others are never loaded for them).
    client_visible_fields: tuple[str, ...] | None = None

    def _engagements(self, user, *, manage=False, work=False):
        from .models import Engagement

        engagements = Engagement.objects.filter(engagement_filter(user, manage=manage, work=work))
        return self.filter(**{f"{self.engagement_path}__in": engagements})

    def visible_to(self, user):
        if not _active(user):
            return self.none()
        return self._engagements(user).for_viewer(user)

    def managed_by(self, user):
        return self._engagements(user, manage=True)

    def worked_on_by(self, user):
        return self._engagements(user, work=True)

    def client_visible(self):
        if self.vendor_internal:
            return self.none()
        rows = self
        if self.client_visible_filter is not None:
            rows = rows.filter(self.client_visible_filter)
        if self.client_visible_fields is not None:
            rows = rows.only(*self.client_visible_fields)
        return rows

    def for_viewer(self, user):
        return self.client_visible() if user.is_client_user and not user.is_superuser else self


def object_for_user_or_404(queryset, *, user, pk, manage: bool = False, work: bool = False):
    """Row ``pk`` of ``queryset`` if ``user`` may see it (with ``work``: work on it; with ``manage``: manage it),
    else 404.

    The one way views fetch an engagement's record: "not yours", "only yours to read" and "does not exist"
    give the same 404, so a URL never confirms that another client's object exists. Works on every scoped
    queryset (``visible_to``/``worked_on_by``/``managed_by``), ``Engagement`` and ``ClientProfile`` included
    (``work`` on scoped querysets and ``Engagement`` only)."""
    if manage:
        rows = queryset.managed_by(user)
    elif work:
        rows = queryset.worked_on_by(user)
    else:
        rows = queryset.visible_to(user)
    return get_object_or_404(rows, pk=pk)


# --- Checks for services (which never trust the view that called them) -------------------------------------------


def require_see(user, engagement) -> None:
    if not may_see(user, engagement):
        raise PermissionDenied


def require_work(user, engagement) -> None:
    """The team's work (items, records, the stakeholder map, promises, red flags): ``may_work``."""
    if not may_work(user, engagement):
        raise PermissionDenied


def require_work_or_client(user, engagement) -> None:
    """What both the team and the client's own people do (complete or comment on an item): the client's users who
    see the engagement, or staff who ``may_work`` on it."""
    if user.is_client_user and not user.is_superuser:
        require_see(user, engagement)
    else:
        require_work(user, engagement)


def require_manage(user, engagement) -> None:
    if not may_manage(user, engagement):
        raise PermissionDenied
