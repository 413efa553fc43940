from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """The top layer: pages that combine the apps below (dashboards, workload, the engagement page, the portal
    home). Nothing imports it except the project's URLs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portfolio"
    verbose_name = _("Portfolio")

    # The apps whose rows the dashboards' figures are computed from (engagements, their checklists, and the health
    # signals governance and escalations register), and the people and organizations they name.
    FIGURES_SOURCES = ("accounts", "engagements", "checklists", "governance", "escalations", "documents")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from engagements import figures as engagement_figures
        from engagements import portal

        from . import figures

        # The portal's own sections (the apps add theirs: governance, escalations, quality, documents, contract).
        portal.register_section(portal.PortalSection("home", _("Home"), url_name="portal:home", position=10))
        portal.register_section(
            portal.PortalSection("project", _("Project"), url_name="portal:project", position=20, per_engagement=True)
        )
        portal.register_section(
            portal.PortalSection(
                "onboarding",
                _("Onboarding"),
                url_name="portal:engagement",
                position=30,
                per_engagement=True,
                active_on=("tasks", "item"),
            )
        )

        # Every figures refresh (the set-based sweeps' included) renews the page fragments when it commits.
        engagement_figures.on_refresh(figures.figures_changed)
        for app_label in self.FIGURES_SOURCES:
            if not apps.is_installed(app_label):
                continue
            for model in apps.get_app_config(app_label).get_models():
                post_save.connect(figures.changed, sender=model, dispatch_uid=f"figures-save-{model._meta.label}")
                post_delete.connect(figures.changed, sender=model, dispatch_uid=f"figures-del-{model._meta.label}")
