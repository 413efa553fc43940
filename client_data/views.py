from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import staff_required
from attachments.services import private_file_response
from engagements import policy
from engagements.view_helpers import flash

from . import selectors, services
from .models import ClientDataExport


def _client_or_404(request, organization_id):
    # Those who may not export a client's data get the 404 of a client that does not exist.
    return get_object_or_404(
        policy.clients_exportable_by(request.user).select_related("client_profile"), pk=organization_id
    )


def _context(request, organization):
    exports = list(selectors.exports_for(user=request.user, organization=organization)[:20])
    return {
        "organization": organization,
        "exports": exports,
        "building": any(export.is_active for export in exports),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def exports_page(request, organization_id):
    """A client's data exports: ask for one, follow its progress, download it while it is kept."""
    organization = _client_or_404(request, organization_id)
    if request.method == "POST":
        flash(
            request,
            lambda: services.export_request(by=request.user, organization=organization),
            _("The export is being prepared. This page shows its progress; it can be downloaded when it is ready."),
        )
        return redirect("client_data:exports", organization_id=organization.pk)
    return render(request, "client_data/exports.html", _context(request, organization))


@staff_required
@require_GET
def exports_progress(request, organization_id):
    """The list alone, polled by the page while an export is being prepared."""
    organization = _client_or_404(request, organization_id)
    return render(request, "client_data/_exports.html", _context(request, organization))


@staff_required
@require_GET
def export_download(request, pk):
    export = get_object_or_404(
        ClientDataExport.objects.filter(organization__in=policy.clients_exportable_by(request.user)).select_related(
            "organization"
        ),
        pk=pk,
    )
    if not services.export_is_downloadable(export):
        messages.error(request, _("This export is no longer available; ask for a new one."))
        return redirect("client_data:exports", organization_id=export.organization_id)
    return private_file_response(export.file, filename=export.file_name, content_type="application/zip")
