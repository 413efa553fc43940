from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """The top layer: pages that combine the apps below (dashboards, workload, the engagement page, the portal
    home). Nothing imports it except the project's URLs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portfolio"
    verbose_name = _("Portfolio")
