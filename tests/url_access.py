"""The URL x role access matrix: every URL pattern of the project, classified once.

``RULES`` maps each URL name to who may use it. ``test_url_access.py`` walks the resolver, so a
URL added without a rule here fails the suite (it cannot silently escape the access checks).

For URLs that take an object, the test calls them twice: with the object of the persona's own
client (``world[key]``) and with another client's (``world["other_" + key]``). Anyone not
allowed must get 404, never 403, so a URL never confirms that another client's object exists.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = (
    "anonymous",
    "vendor_admin",
    "executive",
    "director",
    "csm",
    "other_csm",
    "pm",
    "deputy_pm",
    "team_member",
    "client_key_user",
    "client_member",
    "other_client_user",
)
AUTHENTICATED = frozenset(ROLES) - {"anonymous"}
PORTFOLIO = frozenset({"vendor_admin", "executive", "director"})
STAFF = PORTFOLIO | {"csm", "other_csm", "pm", "deputy_pm", "team_member"}
# Vendor people on the fixture engagement's team (see conftest): its CSM, PM, deputy and member.
TEAM = frozenset({"csm", "pm", "deputy_pm", "team_member"})
CLIENT = frozenset({"client_key_user", "client_member", "other_client_user"})
OWN_CLIENT = frozenset({"client_key_user", "client_member"})

# Who may open clients (and so come to the new-engagement page), and who may shape an engagement
# (see engagements.policy).
CREATORS = frozenset({"vendor_admin", "director", "csm", "other_csm"})
MANAGE = {
    "allowed": frozenset({"vendor_admin", "director", "csm", "pm", "deputy_pm"}),
    "other_allowed": frozenset({"vendor_admin", "director", "other_csm"}),
}
# Who may edit a client's profile and billing: its CSM, the director and admins.
MANAGE_CLIENT = {
    "allowed": frozenset({"vendor_admin", "director", "csm"}),
    "other_allowed": frozenset({"vendor_admin", "director", "other_csm"}),
}
# Who may take a client's data out (``policy.clients_exportable_by``): its CSM and admins.
EXPORT_CLIENT_DATA = {
    "allowed": frozenset({"vendor_admin", "csm"}),
    "other_allowed": frozenset({"vendor_admin", "other_csm"}),
}
KEY_USERS = frozenset({"client_key_user"})
# Who may do the team's work on an engagement (``policy.may_work``): its team, directors and admins. Executives
# read everything and write nothing by their role alone: on a write URL they get 404 like any outsider.
WORK = {
    "allowed": frozenset({"vendor_admin", "director"}) | TEAM,
    "other_allowed": frozenset({"vendor_admin", "director", "other_csm"}),
}
# Who changes a shared, client-side action item's status (``may_update_action_item``): those who manage the
# engagement and the client's own people.
ACTION_ITEM_WRITERS = {
    "allowed": MANAGE["allowed"] | {"client_key_user", "client_member"},
    "other_allowed": MANAGE["other_allowed"] | {"other_client_user"},
}
# A page everyone who sees the engagement reads (GET), whose form is the team's work (POST).
READ_BUT_WORK = {"writers": WORK["allowed"], "other_writers": WORK["other_allowed"]}

# Namespaces served by third-party code with their own access rules, tested on their own.
EXEMPT_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Rule:
    """Who may use a URL.

    ``allowed``: roles allowed (on their own client's object, when the URL takes one).
    ``other_allowed``: roles allowed on the *other* client's object; ``None`` if no object.
    ``obj``: the world key of the object whose pk fills the URL (``other_<obj>`` for the other).
    ``methods``: the HTTP methods the view accepts; others must never succeed.
    ``public``: reachable without logging in.
    ``kwargs``: how to build the URL's kwargs from the object (default ``{"pk": obj.pk}``).
    ``writers`` / ``other_writers``: who may POST (or PATCH), when fewer than may GET (default: ``allowed`` /
    ``other_allowed``).
    ``token``: an API URL: each persona calls it with a token of theirs (every scope, so only the app's own access
    rules decide), in a transaction rolled back after each call, so every persona meets the same objects; without a
    token it answers 401.
    """

    allowed: frozenset
    other_allowed: frozenset | None = None
    obj: str | None = None
    methods: tuple = ("GET",)
    public: bool = False
    kwargs: object = None
    fixed_kwargs: dict = field(default_factory=dict)
    logs_out: bool = False
    writers: frozenset | None = None
    other_writers: frozenset | None = None
    token: bool = False

    def allowed_for(self, method: str, *, other: bool) -> frozenset:
        if method != "GET" and self.writers is not None:
            return (self.other_writers if other else self.writers) or frozenset()
        return (self.other_allowed if other else self.allowed) or frozenset()


def public(methods=("GET",), **kw):
    return Rule(allowed=frozenset(ROLES), methods=methods, public=True, **kw)


def any_user(methods=("GET",), **kw):
    return Rule(allowed=AUTHENTICATED, methods=methods, **kw)


def staff(methods=("GET",), allowed=STAFF):
    return Rule(allowed=frozenset(allowed), methods=methods)


def staff_object(
    obj, methods=("GET",), allowed=PORTFOLIO | TEAM, other_allowed=PORTFOLIO | {"other_csm"}, writers=None, **kw
):
    return Rule(
        allowed=frozenset(allowed),
        other_allowed=frozenset(other_allowed),
        obj=obj,
        methods=methods,
        writers=writers,
        **kw,
    )


def portal(methods=("GET",), allowed=CLIENT):
    return Rule(allowed=frozenset(allowed), methods=methods)


def portal_object(obj, methods=("GET",), allowed=OWN_CLIENT, other_allowed=frozenset({"other_client_user"}), **kw):
    return Rule(allowed=frozenset(allowed), other_allowed=frozenset(other_allowed), obj=obj, methods=methods, **kw)


SEES_ENGAGEMENT = {
    "allowed": PORTFOLIO | TEAM | OWN_CLIENT,
    "other_allowed": PORTFOLIO | {"other_csm", "other_client_user"},
}
# The team's work on a client-side item, which the client's own people do too (``require_work_or_client``).
WORK_OR_CLIENT = {
    "allowed": WORK["allowed"] | OWN_CLIENT,
    "other_allowed": WORK["other_allowed"] | {"other_client_user"},
}


def api_list(methods=("GET",)):
    """An API list: everyone with a token gets their own rows (``tests/test_api_isolation.py`` checks which)."""
    return Rule(allowed=AUTHENTICATED, methods=methods, token=True)


def api_object(obj, methods=("GET",), access=SEES_ENGAGEMENT, writers=None, **kw):
    return Rule(
        allowed=frozenset(access["allowed"]),
        other_allowed=frozenset(access["other_allowed"]),
        obj=obj,
        methods=methods,
        token=True,
        writers=frozenset(writers["allowed"]) if writers else None,
        other_writers=frozenset(writers["other_allowed"]) if writers else None,
        **kw,
    )


RULES: dict[str, Rule] = {
    # Public: authentication and health.
    "healthz": public(),
    "favicon": public(),
    "accounts:login": public(methods=("GET", "POST")),
    "accounts:password_reset": public(methods=("GET", "POST")),
    "accounts:password_reset_done": public(),
    "accounts:password_reset_confirm": public(
        methods=("GET", "POST"), fixed_kwargs={"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": public(),
    "accounts:invitation_accept": public(methods=("GET", "POST"), kwargs=lambda world, obj: {"token": world["token"]}),
    # The link mailed to a new address: the signed token is the credential, so it works signed in or not.
    "accounts:email_change_confirm": public(
        methods=("GET", "POST"), kwargs=lambda world, obj: {"token": world["email_change_token"]}
    ),
    # Any signed-in person: their own account.
    "home": any_user(),
    # The load benchmark's one-query baseline (bench/load_bench.py).
    "baseline": any_user(),
    "accounts:logout": any_user(methods=("POST",), logs_out=True),
    "accounts:profile": any_user(methods=("GET", "POST")),
    # The language switcher on every page, signed in or not.
    "accounts:set_language": public(methods=("POST",)),
    "accounts:password_change": any_user(methods=("GET", "POST")),
    "accounts:password_change_done": any_user(),
    # Two-factor login: the code page after the password (signed out; without a password just checked it sends
    # back to login), and each person's own enrolment and recovery codes (accounts/mfa/).
    "accounts:mfa_authenticate": public(methods=("GET", "POST")),
    "accounts:mfa_enrol": any_user(methods=("GET", "POST")),
    "accounts:mfa_recovery_codes": any_user(),
    "accounts:mfa_recovery_codes_regenerate": any_user(methods=("POST",)),
    "accounts:mfa_remove": any_user(methods=("POST",)),
    # Staff workspace.
    "accounts:invitation_list": staff(),
    "accounts:invitation_create": staff(methods=("GET", "POST")),
    "accounts:invitation_revoke": staff_object(
        "invitation",
        methods=("POST",),
        # Each invitation was sent by the client's CSM: those who manage the client (its CSM, the director,
        # admins) and its sender may revoke it; the rest of the team, executives included, get 404 (hole 3).
        **MANAGE_CLIENT,
    ),
    "accounts:invitation_resend": staff_object("invitation", methods=("POST",), **MANAGE_CLIENT),
    "engagements:stakeholder_invite": staff_object("stakeholder", methods=("GET", "POST"), **MANAGE),
    # Engagements (issue 3). MANAGERS shape an engagement; the whole team works on its items (WORK: executives only
    # read, so a write URL answers them 404).
    "engagements:create": staff(methods=("GET", "POST"), allowed=CREATORS),
    "portfolio:workload": staff(allowed=PORTFOLIO),
    "portfolio:my_work": staff(),
    "portfolio:search": staff(),
    "portfolio:dashboard_csv": staff(),
    "accounts:absences": staff(methods=("GET", "POST")),
    # An absence is changed by its person (the PM here, another CSM for the other one), directors and admins.
    "accounts:absence_edit": Rule(
        allowed=frozenset({"pm", "director", "vendor_admin"}),
        other_allowed=frozenset({"other_csm", "director", "vendor_admin"}),
        obj="absence",
        methods=("GET", "POST"),
    ),
    "accounts:absence_cancel": Rule(
        allowed=frozenset({"pm", "director", "vendor_admin"}),
        other_allowed=frozenset({"other_csm", "director", "vendor_admin"}),
        obj="absence",
        methods=("POST",),
    ),
    "engagements:client_list": staff(),
    "engagements:client_create": staff(methods=("GET", "POST"), allowed=CREATORS),
    "engagements:client_detail": staff_object("client_profile"),
    "engagements:client_edit": staff_object("client_profile", methods=("GET", "POST"), **MANAGE_CLIENT),
    "engagements:billing_add": staff_object("client_profile", methods=("POST",), **MANAGE_CLIENT),
    "portfolio:engagement": staff_object("engagement"),
    "portfolio:engagement_figures": staff_object("engagement"),
    # The audit trail: staff who see the engagement (another's answers 404).
    "portfolio:engagement_history": staff_object("engagement"),
    "portfolio:engagement_history_csv": staff_object("engagement"),
    # "Preview as client": any staff member who sees the engagement; ending it is anyone's own session.
    "portfolio:preview": staff_object("engagement", methods=("POST",)),
    "portfolio:preview_exit": any_user(methods=("POST",)),
    "engagements:edit": staff_object("engagement", methods=("GET", "POST"), **MANAGE),
    "engagements:phase": staff_object("engagement", methods=("POST",), **MANAGE),
    "engagements:handoff": staff_object("engagement", methods=("GET", "POST"), **MANAGE),
    "engagements:promise_add": staff_object("engagement", methods=("POST",), **WORK),
    "engagements:stakeholders": staff_object("engagement", methods=("GET", "POST"), **READ_BUT_WORK),
    "checklists:template_apply": staff_object("engagement", methods=("POST",), **MANAGE),
    "engagements:milestone_add": staff_object("engagement", methods=("POST",), **WORK),
    "engagements:integration_add": staff_object("engagement", methods=("POST",), **WORK),
    "engagements:link_add": staff_object("engagement", methods=("POST",), **WORK),
    "engagements:promise_close": staff_object("promise", methods=("POST",), **WORK),
    "engagements:milestone_reached": staff_object("milestone", methods=("POST",), **WORK),
    "engagements:milestone_edit": staff_object("milestone", methods=("GET", "POST"), **WORK),
    "engagements:milestone_delete": staff_object("milestone", methods=("POST",), **MANAGE),
    "engagements:promise_edit": staff_object("promise", methods=("GET", "POST"), **WORK),
    "engagements:promise_reopen": staff_object("promise", methods=("POST",), **WORK),
    "engagements:integration_delete": staff_object("integration", methods=("POST",), **MANAGE),
    "engagements:link_delete": staff_object("resource_link", methods=("POST",), **MANAGE),
    "engagements:link_audience": staff_object("resource_link", methods=("POST",), **MANAGE),
    "engagements:member_add": staff_object("engagement", methods=("POST",), **MANAGE),
    "engagements:stakeholder_edit": staff_object("stakeholder", methods=("GET", "POST"), **WORK),
    "engagements:stakeholder_delete": staff_object("stakeholder", methods=("POST",), **WORK),
    "engagements:integration_edit": staff_object("integration", methods=("GET", "POST"), **WORK),
    "checklists:item_create": staff_object("stage", methods=("POST",), **MANAGE),
    "checklists:stage_actuals": staff_object("stage", methods=("POST",), **MANAGE),
    "checklists:stage_actual_delete": staff_object("stage_actual", methods=("POST",), **MANAGE),
    "checklists:item": staff_object("item", methods=("GET", "POST"), **READ_BUT_WORK),
    "checklists:item_complete": staff_object("item", methods=("POST",), **WORK),
    "checklists:item_comment": staff_object("item", methods=("GET", "POST"), **READ_BUT_WORK),
    "checklists:item_evidence": staff_object("done_item"),
    "checklists:item_move": staff_object("item", methods=("POST",), **MANAGE),
    "checklists:item_delete": staff_object("item", methods=("POST",), **MANAGE),
    # The plan (issue 21): the team links items and lets the plan set a pinned date again.
    "checklists:dependency_add": staff_object("item", methods=("POST",), **WORK),
    "checklists:item_unpin": staff_object("item", methods=("POST",), **WORK),
    "checklists:dependency_delete": staff_object("dependency", methods=("POST",), **WORK),
    # Governance (issue 8): the team reads plans and meetings; those who manage the engagement run them.
    "governance:upcoming": staff(),
    # Kept-on-time rates across engagements: the directors' view.
    "governance:promise_rates": staff(allowed=PORTFOLIO),
    "governance:promise_add": staff_object("engagement", methods=("POST",), **WORK),
    "governance:meeting_promise_add": staff_object("meeting", methods=("POST",), **WORK),
    "governance:promise_status": staff_object("promise", methods=("POST",), **WORK),
    "governance:plan": staff_object("engagement"),
    "governance:plan_apply": staff_object("engagement", methods=("POST",), **MANAGE),
    "governance:meeting_add": staff_object("engagement", methods=("GET", "POST"), **MANAGE),
    "governance:feed_subscribe": staff_object("engagement", methods=("POST",)),
    "governance:series_edit": staff_object("series", methods=("GET", "POST"), **MANAGE),
    "governance:series_end": staff_object("series", methods=("POST",), **MANAGE),
    "governance:participant_add": staff_object("series", methods=("POST",), **MANAGE),
    "governance:participant_remove": staff_object("participant", methods=("POST",), **MANAGE),
    "governance:meeting": staff_object("meeting"),
    "governance:meeting_ics": staff_object("meeting"),
    "governance:meeting_prepare": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:meeting_move": staff_object("meeting", methods=("GET", "POST"), **MANAGE),
    "governance:meeting_cancel": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:meeting_held": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:meeting_publish": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:meeting_comment": staff_object("meeting", methods=("POST",), **WORK),
    "governance:agenda_item_add": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:attendee_add": staff_object("meeting", methods=("POST",), **MANAGE),
    "governance:agenda_item": staff_object("agenda_item", methods=("GET", "POST"), **MANAGE),
    "governance:agenda_item_delete": staff_object("agenda_item", methods=("POST",), **MANAGE),
    "governance:agenda_item_move": staff_object("agenda_item", methods=("POST",), **MANAGE),
    "governance:outcome_add": staff_object("agenda_item", methods=("POST",), **MANAGE),
    "governance:outcome_delete": staff_object("outcome", methods=("POST",), **MANAGE),
    # Also the action item's owner (the world's is the client's, so: those who manage).
    "governance:outcome_status": staff_object("outcome", methods=("POST",), **MANAGE),
    "governance:attendance_set": staff_object("attendee", methods=("POST",), **MANAGE),
    "governance:my_feed_subscribe": staff(methods=("POST",)),
    # A feed is revoked by its owner only (the world's belong to each client's key user).
    "governance:feed_revoke": Rule(
        allowed=frozenset({"client_key_user"}),
        other_allowed=frozenset({"other_client_user"}),
        obj="feed",
        methods=("POST",),
    ),
    # Calendar programs fetch feeds without logging in: the signed token is the key, whoever asks.
    "governance:engagement_feed": public(
        kwargs=lambda world, obj: {"pk": world["engagement"].pk, "token": world["feed_token"]}
    ),
    "governance:personal_feed": public(kwargs=lambda world, obj: {"token": world["personal_feed_token"]}),
    # Escalations (issue 9): the team works a flag (WORK); the owner and those who manage the engagement escalate by
    # hand.
    "escalations:flag_list": staff(),
    "escalations:sla": staff(),
    "escalations:sla_csv": staff(),
    "escalations:rota": staff(),
    "escalations:flag_raise_start": staff(),
    "escalations:flag": staff_object("flag"),
    "escalations:flag_acknowledge": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_update": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_pause": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_resume": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_resolve": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_reopen": staff_object("flag", methods=("POST",), **WORK),
    "escalations:flag_escalate": staff_object("flag", methods=("POST",), **MANAGE),
    "escalations:step_add": staff_object("flag", methods=("POST",), **WORK),
    "escalations:plan_agree": staff_object("flag", methods=("POST",), **WORK),
    "escalations:step_status": staff_object("step", methods=("POST",), **WORK),
    "escalations:attachment": staff_object("flag_attachment"),
    "escalations:flag_raise": staff_object("engagement", methods=("GET", "POST"), **WORK),
    # Notifications: everyone has their own centre and preferences; a notification is its recipient's only.
    # Webhook endpoints: a client's are managed by whoever manages the client (its CSM), every one by directors and
    # admins (they alone add organization-wide ones); the list shows each staff member what they manage.
    # A client's data export: its CSM and admins (``policy.clients_exportable_by``), not directors.
    "client_data:exports": Rule(
        obj="client_organization",
        methods=("GET", "POST"),
        kwargs=lambda world, obj: {"organization_id": obj.pk},
        **EXPORT_CLIENT_DATA,
    ),
    "client_data:progress": Rule(
        obj="client_organization", kwargs=lambda world, obj: {"organization_id": obj.pk}, **EXPORT_CLIENT_DATA
    ),
    "client_data:download": Rule(obj="client_export", **EXPORT_CLIENT_DATA),
    "webhooks:endpoint_list": staff(),
    "webhooks:endpoint_new": staff(methods=("GET", "POST"), allowed=CREATORS),
    "webhooks:endpoint": Rule(obj="webhook_endpoint", **MANAGE_CLIENT),
    "webhooks:endpoint_edit": Rule(obj="webhook_endpoint", methods=("GET", "POST"), **MANAGE_CLIENT),
    "webhooks:endpoint_rotate": Rule(obj="webhook_endpoint", methods=("POST",), **MANAGE_CLIENT),
    "webhooks:endpoint_replay": Rule(obj="webhook_endpoint", methods=("POST",), **MANAGE_CLIENT),
    "webhooks:delivery_replay": Rule(obj="webhook_delivery", methods=("POST",), **MANAGE_CLIENT),
    "notifications:centre": any_user(),
    "notifications:badge": any_user(),
    "notifications:preferences": any_user(methods=("GET", "POST")),
    "notifications:read_all": any_user(methods=("POST",)),
    "notifications:read": Rule(
        allowed=frozenset({"client_key_user"}),
        other_allowed=frozenset({"other_client_user"}),
        obj="notification",
        methods=("POST",),
    ),
    # Quality reports and delivered documents on the engagement: its team reads, its managers write.
    "quality:engagement_reports": staff_object("engagement"),
    "quality:report_create": staff_object("engagement", methods=("POST",), **MANAGE),
    "quality:report": staff_object("quality_report"),
    "quality:report_edit": staff_object("quality_report", methods=("POST",), **MANAGE),
    "quality:report_publish": staff_object("draft_report", methods=("POST",), **MANAGE),
    "quality:report_attachment": staff_object("quality_report"),
    "documents:engagement_documents": staff_object("engagement"),
    "documents:document_create": staff_object("engagement", methods=("POST",), **MANAGE),
    "documents:document": staff_object("document"),
    "documents:version_add": staff_object("document", methods=("POST",), **MANAGE),
    "documents:version_publish": staff_object("draft_version", methods=("POST",), **MANAGE),
    "documents:version_download": staff_object("document_version"),
    # Decision receipts (issue 20): the client's people and the engagement's staff read a receipt and download it;
    # anyone checks one on the public verification page.
    "receipts:receipt": Rule(obj="receipt", **SEES_ENGAGEMENT),
    "receipts:download": Rule(obj="receipt", **SEES_ENGAGEMENT),
    "receipts:receipt_for": Rule(
        obj="receipt", kwargs=lambda world, obj: {"kind": obj.kind, "pk": int(obj.object_id)}, **SEES_ENGAGEMENT
    ),
    "receipts:verify": public(methods=("GET", "POST")),
    # Client portal.
    "portal:home": portal(),
    "portal:engagement": portal_object("engagement"),
    "portal:project": portal_object("engagement"),
    # The key user's people: their own organization's members and member invitations (every key user has the page).
    "portal:people": portal(methods=("GET", "POST"), allowed=KEY_USERS | {"other_client_user"}),
    "portal:people_invitation_revoke": portal_object("invitation", methods=("POST",), allowed=KEY_USERS),
    "portal:people_deactivate": portal_object("member", methods=("POST",), allowed=KEY_USERS),
    "portal:tasks": portal(),
    "portal:item": portal_object("item"),
    "portal:item_complete": portal_object("item", methods=("POST",)),
    "portal:item_comment": portal_object("item", methods=("POST",)),
    "portal:item_reopen": portal_object("done_item", methods=("POST",)),
    "portal:item_evidence": portal_object("done_item"),
    "portal:stage_decision": portal_object("stage", methods=("POST",), allowed=KEY_USERS),
    "portal:work_plan_decision": portal_object("engagement", methods=("POST",), allowed=KEY_USERS),
    "portal:satisfaction": portal_object("satisfaction", methods=("POST",)),
    "portal:meetings": portal(),
    "portal:meeting": portal_object("meeting"),
    "portal:meeting_ics": portal_object("meeting"),
    # The key user acknowledges and comments; the client's other people are told so (no 404: they read it).
    "portal:minutes_acknowledge": portal_object("meeting", methods=("POST",)),
    "portal:minutes_comment": portal_object("meeting", methods=("POST",)),
    "portal:action_items": portal(),
    "portal:action_item_complete": portal_object("outcome", methods=("POST",)),
    "portal:feed_subscribe": portal_object("engagement", methods=("POST",)),
    "portal:promises": portal(),
    # Red flags in the portal: every client person raises and replies; the reporter, followers and key users answer
    # a resolution (the fixture's flags are raised by the key users); the key user marks duplicates.
    "portal:flags": portal(),
    "portal:sla": portal(),
    "portal:flag_raise": portal(methods=("GET", "POST")),
    "portal:flag": portal_object("flag"),
    "portal:flag_reply": portal_object("flag", methods=("POST",)),
    "portal:flag_confirm": portal_object("flag", methods=("POST",), allowed=KEY_USERS),
    "portal:flag_reopen": portal_object("flag", methods=("POST",), allowed=KEY_USERS),
    "portal:flag_duplicate": portal_object("flag", methods=("GET", "POST"), allowed=KEY_USERS),
    "portal:flag_unmark_duplicate": portal_object("flag", methods=("POST",), allowed=KEY_USERS),
    "portal:flag_step_status": portal_object("step", methods=("POST",)),
    "portal:flag_attachment": portal_object("flag_attachment"),
    # Quality reports, delivered documents, contract and billing (issue 11). Drafts are tested apart (404 to clients).
    "portal:quality_reports": portal(),
    "portal:quality_report": portal_object("quality_report"),
    "portal:quality_report_attachment": portal_object("quality_report"),
    "portal:documents": portal(),
    "portal:document": portal_object("document"),
    "portal:document_download": portal_object("document_version"),
    # Only the key user acknowledges; the client's other people are told so (no 404: they read the document).
    "portal:document_acknowledge": portal_object("document_version", methods=("POST",)),
    # Always the signed-in person's own organization: no id to try.
    "portal:contract": portal(),
    # The REST API: the contract is public (no data); its reference page is for signed-in people; every resource
    # answers a token as the pages answer its user.
    "api:schema": public(),
    "api:docs": any_user(),
    # Everyone's own personal access tokens (the world's belong to each client's key user).
    "api:tokens": any_user(methods=("GET", "POST")),
    "api:token_revoke": Rule(
        allowed=frozenset({"client_key_user"}),
        other_allowed=frozenset({"other_client_user"}),
        obj="api_token",
        methods=("POST",),
    ),
    "api:me": api_list(),
    "api:client_list": api_list(),
    "api:client_detail": api_object("client_profile", kwargs=lambda world, obj: {"pk": obj.organization_id}),
    "api:engagement_list": api_list(),
    "api:engagement_detail": api_object("engagement"),
    "api:stage_list": api_list(),
    "api:stage_detail": api_object("stage"),
    "api:item_list": api_list(),
    "api:item_detail": api_object("item", methods=("GET", "PATCH"), writers=WORK),
    "api:item_complete": api_object("item", methods=("POST",), access=WORK_OR_CLIENT),
    "api:item_reopen": api_object("done_item", methods=("POST",), access=WORK_OR_CLIENT),
    "api:item_comments": api_object("item", methods=("GET", "POST"), writers=WORK_OR_CLIENT),
    "api:stakeholder_list": api_list(),
    "api:stakeholder_detail": api_object("stakeholder"),
    # Red flags: everyone who sees an engagement raises on it (``may_raise_flag``); the team handles them (WORK).
    "api:meeting_list": api_list(),
    "api:meeting_detail": api_object("meeting"),
    "api:meeting_minutes": api_object("meeting"),
    "api:action_item_list": api_list(),
    # The world's outcome is a shared, client-side action item: its client's people and the team that may manage
    # the engagement change its status (``may_update_action_item``, the portal's rule too).
    "api:action_item_detail": api_object("outcome", methods=("GET", "PATCH"), writers=ACTION_ITEM_WRITERS),
    "api:promise_list": api_list(),
    "api:promise_detail": api_object("client_promise"),
    "api:flag_list": api_list(methods=("GET", "POST")),
    "api:flag_detail": api_object("flag"),
    "api:flag_timeline": api_object("flag"),
    "api:flag_acknowledge": api_object("flag", methods=("POST",), access=WORK),
    "api:flag_update": api_object("flag", methods=("POST",), access=WORK),
    "api:flag_pause": api_object("flag", methods=("POST",), access=WORK),
    "api:flag_resume": api_object("flag", methods=("POST",), access=WORK),
    "api:flag_resolve": api_object("flag", methods=("POST",), access=WORK),
    # Any token holder reaches the checks; only a staff user who may open clients and engagements writes.
    "api:document_list": api_list(),
    "api:document_detail": api_object("document"),
    "api:quality_report_list": api_list(),
    "api:quality_report_detail": api_object("quality_report"),
    "api:sla": api_list(),
    "api:deal_won": api_list(methods=("POST",)),
    # Signed by HubSpot, no token: every unsigned request is refused alike.
    "api:deal_won_hubspot": Rule(allowed=frozenset(), methods=("POST",), token=True),
    "api:deal_won_salesforce": Rule(allowed=frozenset(), methods=("POST",), token=True),
}


@dataclass(frozen=True)
class Guard:
    """The named rule (a function of ``engagements.policy`` or of an app's ``permissions``) a URL is guarded by:
    the view answers 404 unless ``check(user, target)``, and the service it calls refuses the same people.

    ``door``: the personas the workspace lets in (``staff_required``/``client_required`` turn the others away
    before the rule is asked). ``target``: what the rule is asked about, from the URL's object (default: the
    object itself).
    """

    check: object
    door: frozenset
    target: object = None

    def subject(self, obj):
        return self.target(obj) if self.target is not None else obj


def _guards():
    from escalations import permissions as flags
    from governance import permissions as meetings

    def staff_guard(check, target=None):
        return Guard(check=check, door=STAFF, target=target)

    def portal_guard(check, target=None):
        return Guard(check=check, door=CLIENT, target=target)

    def meeting_of(row):
        return row.meeting

    guards = {
        name: staff_guard(flags.may_handle_flag)
        for name in (
            "escalations:flag_acknowledge",
            "escalations:flag_update",
            "escalations:flag_pause",
            "escalations:flag_resume",
            "escalations:flag_resolve",
            "escalations:flag_reopen",
            "escalations:step_add",
            "escalations:plan_agree",
        )
    }
    guards["escalations:step_status"] = staff_guard(flags.may_update_step)
    guards["portal:flag_step_status"] = portal_guard(flags.may_update_step)
    guards["portal:flag_reply"] = portal_guard(flags.may_reply_to_flag)
    guards["escalations:flag_escalate"] = staff_guard(flags.may_escalate_flag)
    guards["escalations:flag_raise"] = staff_guard(flags.may_raise_flag)
    for name in ("portal:flag_confirm", "portal:flag_reopen", "portal:flag_duplicate", "portal:flag_unmark_duplicate"):
        guards[name] = portal_guard(flags.may_answer_for_client)
    for name in (
        "governance:meeting_prepare",
        "governance:meeting_move",
        "governance:meeting_cancel",
        "governance:meeting_held",
        "governance:meeting_publish",
        "governance:agenda_item_add",
        "governance:attendee_add",
    ):
        guards[name] = staff_guard(meetings.may_run_meeting)
    for name in (
        "governance:agenda_item",
        "governance:agenda_item_delete",
        "governance:agenda_item_move",
        "governance:outcome_add",
        "governance:outcome_delete",
        "governance:attendance_set",
    ):
        guards[name] = staff_guard(meetings.may_run_meeting, target=meeting_of)
    # The API's red-flag actions: the same rule as the pages', asked of every token holder (no workspace door).
    for name in ("api:flag_acknowledge", "api:flag_update", "api:flag_pause", "api:flag_resume", "api:flag_resolve"):
        guards[name] = Guard(check=flags.may_handle_flag, door=AUTHENTICATED)
    guards["governance:meeting_comment"] = staff_guard(meetings.may_comment_minutes)
    guards["governance:outcome_status"] = staff_guard(meetings.may_update_action_item)
    guards["portal:action_item_complete"] = portal_guard(meetings.may_update_action_item)
    return guards


# URL name -> the named rule it is guarded by (``test_url_access`` checks each agrees with the view and with
# ``RULES``). The portal's minutes acknowledgement and comment answer those who may not with a message, not 404:
# their rules (``may_acknowledge_minutes``, ``may_comment_minutes``) are checked in ``test_permissions_named``.
GUARDS: dict[str, Guard] = _guards()


def iter_patterns(resolver=None, prefix="", namespace=None):
    """Yield (full_name or None, route, pattern) for every leaf URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name
            full = f"{namespace}:{name}" if namespace and name else name
            yield full, prefix + str(entry.pattern), entry


def unclassified_urls(resolver=None, rules=None):
    """Every URL pattern outside an exempt namespace that has no rule (unnamed ones by route)."""
    rules = RULES if rules is None else rules
    missing = []
    for full_name, route, _pattern in iter_patterns(resolver):
        if full_name and full_name.split(":")[0] in EXEMPT_NAMESPACES:
            continue
        if route.startswith("admin/"):
            continue
        if not full_name or full_name not in rules:
            missing.append(full_name or route)
    return missing
