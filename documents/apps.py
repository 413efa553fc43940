from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from checklists import task_sources
        from engagements import portal
        from notifications import registry
        from receipts import registry as receipt_kinds

        from . import receipts, selectors, services

        # Delivered documents concern the client's people (they choose how they hear of them).
        registry.register_category(services.CATEGORY, _("Delivered documents"), position=26)
        # One reminder row per delivered version: the key user's acknowledgement, N working days later, once.
        registry.register_reminder_kind(services.ACK_KIND, services.remind_unacknowledged)
        # What an acknowledgement was about (the version's bytes), for its receipt's verification.
        receipt_kinds.register_kind(receipts.KIND, content=receipts.document_content)
        # A delivered version waiting for the key user's acknowledgement is among what waits on them.
        task_sources.register(selectors.client_documents_to_acknowledge)
        portal.register_section(
            portal.PortalSection(
                "documents",
                _("Documents"),
                url_name="portal:documents",
                position=60,
                active_on=("documents", "document"),
            )
        )
