from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import registry, selectors, services
from .forms import PreferencesForm
from .models import Notification

CENTRE_PAGE_SIZE = 50


@require_GET
def centre(request):
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list_for_centre(user=request.user, unread_only=unread_only)
    # get_page() turns a missing, malformed or too large page number into a valid page.
    page = Paginator(notifications, CENTRE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {
            "notifications": page.object_list,
            "page": page,
            "unread_only": unread_only,
            "layout": registry.page_layout_for(request.user),
        },
    )


@require_GET
def badge(request):
    """The unread count in the navigation, loaded by htmx after each page, so no page pays a query for it.
    It does not poll: every request extends the session, so polling would defeat the idle timeout."""
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "notifications/_badge.html", {"count": count})


@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    notification = services.notification_mark_read(user=request.user, notification_id=notification.pk)
    # "Open" marks the notification read and follows its link in one step.
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
    if request.POST.get("open") and notification.url and safe:
        return redirect(notification.url)
    if request.htmx:
        response = render(request, "notifications/_item.html", {"notification": notification})
        response["HX-Trigger"] = "notifications-read"  # the navigation's unread count reloads on this event
        return response
    return redirect("notifications:centre")


@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:centre")


@require_http_methods(["GET", "POST"])
def preferences(request):
    deliveries, digest_hour = services.preferences_for(user=request.user)
    initial = PreferencesForm.initial_from(deliveries, digest_hour)
    form = PreferencesForm(initial=initial, user=request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, initial=initial, user=request.user)
        if form.is_valid():
            try:
                services.preferences_update(
                    user=request.user,
                    deliveries=form.deliveries(),
                    digest_hour=form.cleaned_data["digest_hour"],
                )
            except ValidationError as error:
                # Field errors at their fields (the service names only this form's fields), the rest on top.
                form.add_error(None, error)
            else:
                messages.success(request, _("Your notification preferences were saved."))
                return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "layout": registry.page_layout_for(request.user)},
    )
