"""A decision's receipt (its people and the engagement's staff: ``Receipt.objects.visible_to``), its signed JSON,
the way from a decision to its receipt, and the public verification page."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import services, signing
from .context import decision_display, methods_display
from .forms import VerifyForm
from .models import Receipt
from .throttle import verify_allowed


def _layout(user) -> str:
    return "layouts/portal.html" if user.is_authenticated and user.is_client_user else "layouts/staff.html"


def _receipt_or_404(request, pk) -> Receipt:
    receipt = Receipt.objects.visible_to(request.user).select_related("engagement__client").filter(pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt


@require_GET
def receipt(request, pk):
    receipt = _receipt_or_404(request, pk)
    check = services.receipt_verify(services.receipt_json(receipt))
    context = {
        "layout": _layout(request.user),
        "receipt": receipt,
        "body": receipt.body,
        "methods": methods_display(receipt.body.get("authenticated_by", [])),
        "decision": decision_display(receipt.decision),
        "outcome": check.outcome,
    }
    return render(request, "receipts/receipt.html", context)


@require_GET
def receipt_download(request, pk):
    receipt = _receipt_or_404(request, pk)
    response = HttpResponse(services.receipt_json(receipt), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="receipt-{receipt.pk}.json"'
    return response


@require_GET
def receipt_for(request, kind, pk):
    """From a decision shown on a page to its receipt (the pages link here and need no query of their own)."""
    receipt = Receipt.objects.visible_to(request.user).filter(kind=kind, object_id=str(pk)).only("pk").first()
    if receipt is None:
        raise Http404
    return redirect("receipts:receipt", pk=receipt.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone (signed in or not) checks a receipt: its signature, then the content it names as stored now. The
    answer says only that, and what the receipt itself says."""
    form, result, status = VerifyForm(), None, 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if not verify_allowed(request):
            form.add_error(None, _("Too many checks from your address. Please wait a few minutes and try again."))
            status = 429
        elif form.is_valid():
            result = services.receipt_verify(form.cleaned_data["text"])
    context = {
        "layout": "layouts/public.html" if not request.user.is_authenticated else _layout(request.user),
        "form": form,
        "result": result,
        "methods": methods_display(result.receipt.get("authenticated_by", [])) if result and result.receipt else "",
        "decision": decision_display(result.receipt.get("decision", "")) if result and result.receipt else "",
        "keys": signing.published_keys(),
    }
    return render(request, "receipts/verify.html", context, status=status)
