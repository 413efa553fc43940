"""Delivered documents: staff pages on the engagement (documents, versions, publishing, who acknowledged what) and
the client's pages in the portal (download, acknowledge). Views parse input, call one selector or service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import client_required, staff_required
from accounts.forms import error_text
from accounts.step_up import step_up_required
from attachments.services import attachment_response
from engagements import policy
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import engagement_or_404, flash, form_submit
from receipts.context import decision_context

from . import selectors, services
from .forms import DocumentForm, VersionForm
from .models import DocumentVersion

# --- Staff --------------------------------------------------------------------------------------------------------


def _documents_page(request, engagement, form=None):
    can_manage = policy.may_manage(request.user, engagement)
    context = {
        "engagement": engagement,
        "documents": selectors.documents_for_engagement(user=request.user, engagement=engagement),
        "form": form or (DocumentForm() if can_manage else None),
        "can_manage": can_manage,
    }
    return render(request, "documents/engagement_documents.html", context)


@staff_required
@require_GET
def engagement_documents(request, pk):
    """The engagement's documents with their versions and acknowledgements, and (for its managers) a new one."""
    return _documents_page(request, engagement_or_404(request, pk))


@staff_required
@require_POST
def document_create(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    form = DocumentForm(request.POST)
    created, document = form_submit(
        request,
        form,
        lambda data: services.document_create(by=request.user, engagement=engagement, **data),
        _("Document added. Upload its first version."),
    )
    if created:
        return redirect("documents:document", pk=document.pk)
    return _documents_page(request, engagement, form)


def _staff_document_page(request, document, version_form=None):
    document = selectors.with_current(document)
    can_manage = policy.may_manage(request.user, document.engagement)
    context = {
        "document": document,
        "key_user": policy.key_user_of(document.engagement),
        "can_manage": can_manage,
        "version_form": version_form or (VersionForm() if can_manage else None),
    }
    return render(request, "documents/document.html", context)


@staff_required
@require_GET
def document(request, pk):
    document = object_for_user_or_404(selectors.document_detail(user=request.user), user=request.user, pk=pk)
    return _staff_document_page(request, document)


@staff_required
@require_POST
def version_add(request, pk):
    document = object_for_user_or_404(
        selectors.document_detail(user=request.user), user=request.user, pk=pk, manage=True
    )
    form = VersionForm(request.POST, request.FILES)
    added, _version = form_submit(
        request,
        form,
        lambda data: services.version_add(by=request.user, document=document, **data),
        _("Version uploaded as a draft. Publish it to deliver it to the client."),
    )
    if added:
        return redirect("documents:document", pk=document.pk)
    return _staff_document_page(request, document, version_form=form)


@staff_required
@require_POST
def version_publish(request, pk):
    version = object_for_user_or_404(
        DocumentVersion.objects.select_related("document"), user=request.user, pk=pk, manage=True
    )
    flash(
        request,
        lambda: services.version_publish(by=request.user, version=version),
        _("Delivered: the client's people are told, and the key user acknowledges receipt."),
    )
    return redirect("documents:document", pk=version.document_id)


@staff_required
@require_GET
def version_download(request, pk):
    version = object_for_user_or_404(selectors.version_for_download(user=request.user), user=request.user, pk=pk)
    return attachment_response(version.attachment)


# --- The client portal --------------------------------------------------------------------------------------------


@client_required
@require_GET
def portal_documents(request):
    return render(
        request, "portal/documents/documents.html", {"documents": selectors.client_documents(user=request.user)}
    )


@client_required
@require_GET
def portal_document(request, pk):
    document = object_for_user_or_404(selectors.document_detail(user=request.user), user=request.user, pk=pk)
    document = selectors.with_current(document)
    context = {"document": document, "can_acknowledge": policy.may_decide(request.user, document.engagement)}
    return render(request, "portal/documents/document.html", context)


@client_required
@require_GET
def portal_version_download(request, pk):
    version = object_for_user_or_404(selectors.version_for_download(user=request.user), user=request.user, pk=pk)
    return attachment_response(version.attachment)


@client_required
@require_POST
@step_up_required
def portal_version_acknowledge(request, pk):
    version = object_for_user_or_404(DocumentVersion.objects.all(), user=request.user, pk=pk)
    try:
        _acknowledgement, created = services.version_acknowledge(
            by=request.user, version=version, context=decision_context(request)
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    except PermissionDenied:
        messages.error(request, _("Only the key user named for this engagement acknowledges receipt."))
    else:
        if created:
            messages.success(
                request, _("Thank you: the team sees that you received version %(label)s.") % {"label": version.label}
            )
        else:
            messages.info(request, _("You had already acknowledged this version."))
    return redirect(reverse("portal:document", args=[version.document_id]) + f"#version-{version.pk}")
