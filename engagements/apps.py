from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagements"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from accounts import client_access
        from accounts import hooks as account_hooks
        from notifications import registry

        from . import cover, hooks, policy, portal, promises, services, tasks
        from .models import Phase, PromiseSource
        from .services import promise_notices

        # Accounts asks which clients a vendor person works for; the answer is engagements' policy.
        client_access.register(policy)
        # The kickoff needs the completed sales handoff.
        hooks.phase_gate(to=Phase.KICKOFF)(services.handoff_gate)
        for source in PromiseSource:
            hooks.register_promise_source(source.value, source.label)
        # The promise ledger: the reminder before a promise is due, the sweep that marks it broken once, its
        # health signal and "Your promises" on My work.
        registry.register_reminder_kind(promise_notices.PROMISE_KIND, promise_notices.remind_promises)
        registry.register_periodic_task(
            "governance: mark broken promises", tasks.promises_mark_broken, every_seconds=60
        )
        promises.register()
        # The maintained dashboard figures: what the clock changes (the site's date moving on) is recomputed by
        # this tick; writes refresh their engagements' rows themselves (``figures.py``).
        registry.register_periodic_task("engagements: figures of a new day", tasks.figures_tick, every_seconds=300)
        # After each migrate (a deploy), rows missing or of another basis (a signal added) are computed at once.
        registry.register_ensure(figures_ensure)
        # Absence cover: the deputy hears when they stand in, both hear when the PM is back.
        account_hooks.on_absence_changed(cover.absence_cover_sync)
        registry.register_category(cover.COVER_CATEGORY, _("Absence cover"), for_client_users=False, position=20)
        registry.register_reminder_kind(cover.START_KIND, cover.notify_cover_start)
        registry.register_reminder_kind(cover.END_KIND, cover.notify_cover_end)
        # The client's contract, invoices and obligations (their own organization's, no engagement in the URL).
        portal.register_section(
            portal.PortalSection("contract", _("Contract and billing"), url_name="portal:contract", position=80)
        )
        # A client person invited from their stakeholder row is linked to it when they accept.
        account_hooks.on_invitation_accepted(services.stakeholders_link_on_acceptance)


def figures_ensure() -> None:
    # Imported here: this module loads with the app registry, before models may be imported.
    from .figures import figures_tick

    figures_tick()
