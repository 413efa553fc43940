from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.access import client_required, staff_required

from . import selectors
from .models import Engagement


@require_GET
def home(request):
    """The staff workspace; client users land in their portal instead."""
    if request.user.is_client_user:
        return redirect("portal:home")
    return dashboard(request)


@staff_required
@require_GET
def dashboard(request):
    engagements = selectors.engagement_list_for_dashboard(user=request.user)
    return render(request, "engagements/dashboard.html", {"engagements": engagements})


@staff_required
@require_GET
def engagement_detail(request, pk):
    engagement = get_object_or_404(selectors.engagement_list_for_dashboard(user=request.user), pk=pk)
    return render(request, "engagements/engagement_detail.html", {"engagement": engagement})


@client_required
@require_GET
def portal_home(request):
    engagements = list(selectors.engagement_list_for_portal(user=request.user))
    if len(engagements) == 1:
        return redirect("portal:engagement", pk=engagements[0].pk)
    return render(request, "portal/home.html", {"engagements": engagements})


@client_required
@require_GET
def portal_engagement(request, pk):
    engagement = get_object_or_404(Engagement.objects.visible_to(request.user).select_related("client"), pk=pk)
    return render(request, "portal/engagement.html", {"engagement": engagement})
