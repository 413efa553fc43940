"""Django's admin app, with the project's admin site (``admin_site.PortalAdminSite``) as its default site."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "onboarding_portal.admin_site.PortalAdminSite"
