from .models import Delivery, Endpoint

LOG_SIZE = 50


def endpoint_list_for(*, user):
    return Endpoint.objects.managed_by(user).select_related("organization", "created_by")


def delivery_log(*, endpoint: Endpoint, status: str = ""):
    """The endpoint's delivery log, newest first (served by the (endpoint, created_at) index)."""
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("event")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")
