from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagements"

    def ready(self):
        from accounts import client_access

        from . import hooks, policy, services
        from .models import CommitmentSource, Phase

        # Accounts asks which clients a vendor person works for; the answer is engagements' policy.
        client_access.register(policy)
        # The kickoff needs the completed sales handoff.
        hooks.phase_gate(to=Phase.KICKOFF)(services.handoff_gate)
        for source in CommitmentSource:
            hooks.register_commitment_source(source.value, source.label)
