"""The client's own pages of engagements in the portal: the contract and billing page."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import client_required

from . import selectors


@client_required
@require_GET
def contract(request):
    page = selectors.client_contract(user=request.user, today=timezone.localdate())
    return render(request, "portal/engagements/contract.html", {"page": page})
