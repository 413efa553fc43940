"""Staff pages: the endpoints one manages, an endpoint's page with its delivery log, and its actions. Views parse
input, call one selector or service, render. Another's endpoint answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import staff_required
from accounts.forms import add_service_errors

from . import forms, permissions, selectors, services
from .models import Delivery, DeliveryStatus, Endpoint


def _endpoint_or_404(request, pk) -> Endpoint:
    return get_object_or_404(Endpoint.objects.managed_by(request.user).select_related("organization"), pk=pk)


@staff_required
@require_GET
def endpoint_list(request):
    return render(
        request,
        "webhooks/endpoint_list.html",
        {
            "endpoints": selectors.endpoint_list_for(user=request.user),
            "may_add": permissions.clients_for_endpoints(request.user).exists() or request.user.leads_delivery,
        },
    )


def _save(request, form, endpoint=None):
    data = form.cleaned_data
    fields = {
        "url": data["url"],
        "description": data["description"],
        "organization": data["organization"],
        "event_types": data["event_types"],
        "enabled": data["enabled"],
    }
    try:
        if endpoint is None:
            return services.endpoint_create(by=request.user, **fields)
        return services.endpoint_update(endpoint=endpoint, by=request.user, **fields)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error("organization", str(error))
    return None


@staff_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    if not (request.user.leads_delivery or permissions.clients_for_endpoints(request.user).exists()):
        raise Http404
    form = forms.EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        endpoint = _save(request, form)
        if endpoint is not None:
            messages.success(request, _("Webhook endpoint added. Give its signing secret to the receiver."))
            return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@staff_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk):
    endpoint = _endpoint_or_404(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "organization": endpoint.organization,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
    }
    form = forms.EndpointForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form, endpoint) is not None:
        messages.success(request, _("Webhook endpoint saved."))
        return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@staff_required
@require_GET
def endpoint_detail(request, pk):
    endpoint = _endpoint_or_404(request, pk)
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    page = Paginator(selectors.delivery_log(endpoint=endpoint, status=status), selectors.LOG_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "replay_form": forms.ReplayRangeForm(),
        },
    )


@staff_required
@require_POST
def endpoint_rotate(request, pk):
    endpoint = _endpoint_or_404(request, pk)
    services.endpoint_rotate_secret(endpoint=endpoint, by=request.user)
    messages.success(request, _("New signing secret made; the old one stays valid for a while, and both sign."))
    return redirect(endpoint)


@staff_required
@require_POST
def endpoint_replay(request, pk):
    endpoint = _endpoint_or_404(request, pk)
    form = forms.ReplayRangeForm(request.POST)
    if form.is_valid():
        try:
            queued = services.deliveries_replay_range(
                endpoint=endpoint, since=form.cleaned_data["since"], until=form.cleaned_data["until"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", queued)
                % {"count": queued},
            )
    else:
        messages.error(request, _("Give the start and the end of the time range."))
    return redirect(endpoint)


@staff_required
@require_POST
def delivery_replay(request, pk):
    delivery = get_object_or_404(Delivery.objects.filter(endpoint__in=Endpoint.objects.managed_by(request.user)), pk=pk)
    services.delivery_replay(delivery=delivery, by=request.user)
    messages.success(request, _("The delivery will be sent again, with the same webhook-id."))
    return redirect(delivery.endpoint)
