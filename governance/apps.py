from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from checklists import task_sources
        from engagements import hooks, portal
        from notifications import registry
        from receipts import registry as receipt_kinds

        from . import agenda_sources, defaults, health, receipts, selectors, tasks, work
        from .models import MEETING_SOURCE
        from .services import actions, constants, lifecycle, meeting_steps, series

        registry.register_category(constants.CATEGORY, _("Meetings and governance"), position=20)
        # What an acknowledgement of minutes was about, for its receipt's verification.
        receipt_kinds.register_kind(receipts.KIND, content=receipts.minutes_content)
        # One reminder row per meeting (invitation, agenda, participants, missed/late minutes) and per action item.
        registry.register_reminder_kind(constants.MEETING_KIND, meeting_steps.remind_meetings)
        registry.register_reminder_kind(constants.ACTION_KIND, actions.remind_action_items)
        # The .ics of an invitation or a cancellation, built when the mail leaves.
        registry.register_attachment_provider(lifecycle.INVITATION_TEMPLATE, lifecycle.invitation_attachment)
        registry.register_attachment_provider(lifecycle.CANCELLATION_TEMPLATE, lifecycle.cancellation_attachment)
        registry.register_periodic_task(
            "governance: generate meetings up to the horizon", tasks.meetings_top_up, every_seconds=3600
        )
        agenda_sources.register()

        # Promises made in a meeting go to engagements' promise ledger with this source.
        hooks.register_promise_source(MEETING_SOURCE, _("Promised in a meeting"))
        # The kickoff meeting follows the engagement's kickoff date.
        hooks.on_anchor_dates_moved(series.kickoff_moved)
        # A closed engagement's meetings still to come are cancelled (the invited are told).
        hooks.on_phase_changed(series.engagement_closed)
        # Missed meetings and late minutes count in the engagement's health.
        health.register()
        # After a flush (transactional tests) the default cadences come back like the beat rows do.
        registry.register_ensure(defaults.default_cadences_ensure)
        # My action items due soon or overdue, on My work.
        work.register()
        # The client's action items from shared minutes are among their tasks in the portal.
        task_sources.register(selectors.client_tasks_for_portal)
        # Shared minutes waiting for the key user's acknowledgement are among what waits on them.
        task_sources.register(selectors.client_minutes_to_acknowledge)

        portal.register_section(
            portal.PortalSection(
                "governance",
                _("Governance"),
                url_name="portal:meetings",
                position=40,
                active_on=("meetings", "meeting", "action_items", "feed_subscribe"),
            )
        )
        # The promises made to the client, in the menu of their own: the client holds us to them.
        portal.register_section(
            portal.PortalSection(
                "promises",
                _("Our promises"),
                url_name="portal:promises",
                position=45,
                active_on=("promises",),
            )
        )
