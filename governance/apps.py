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

        from . import agenda_sources, defaults, health, selectors, tasks, work
        from .services import actions, constants, lifecycle, meeting_steps, promises, series

        registry.register_category(constants.CATEGORY, _("Meetings and governance"), position=20)
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

        # The promise ledger on engagements' Commitment: where promises come from, their "due soon" reminder
        # (kept right by engagements' hook on every change), and the sweep that marks them broken, once.
        hooks.register_commitment_source(promises.MEETING_SOURCE, _("Promised in a meeting"))
        hooks.register_commitment_source(promises.CONVERSATION_SOURCE, _("Promised in a conversation"))
        hooks.on_commitment_changed(promises.commitment_reminder_sync)
        registry.register_reminder_kind(promises.PROMISE_KIND, promises.remind_promises)
        registry.register_periodic_task(
            "governance: mark broken promises", tasks.promises_mark_broken, every_seconds=60
        )
        # The kickoff meeting follows the engagement's kickoff date.
        hooks.on_anchor_dates_moved(series.kickoff_moved)
        # A closed engagement's meetings still to come are cancelled (the invited are told).
        hooks.on_phase_changed(series.engagement_closed)
        # Missed meetings, late minutes and broken promises count in the engagement's health.
        health.register()
        # After a flush (transactional tests) the default cadences come back like the beat rows do.
        registry.register_ensure(defaults.default_cadences_ensure)
        # My action items and my commitments due soon or overdue, on My work.
        work.register()
        # The client's action items from shared minutes are among their tasks in the portal.
        task_sources.register(selectors.client_tasks_for_portal)

        portal.register_section(
            portal.PortalSection(
                "governance",
                _("Governance"),
                url_name="portal:meetings",
                position=40,
                active_on=("meetings", "meeting", "action_items", "promises", "feed_subscribe"),
            )
        )
