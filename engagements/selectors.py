"""Reads for engagements. Each returns a queryset already scoped by ``visible_to``."""

from .models import Engagement


def engagement_list_for_dashboard(*, user):
    return (
        Engagement.objects.visible_to(user)
        .select_related("client", "csm", "pm", "deputy_pm")
        .order_by("client__name", "name")
    )


def engagement_list_for_portal(*, user):
    return Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")
