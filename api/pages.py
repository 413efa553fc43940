"""The "API tokens" page (from the profile): a person's own personal access tokens, created and revoked there; the
secret is shown once, on the page the creation answers with. Admins manage service accounts in the Django admin."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.calendar_range import CalendarRangeMixin
from accounts.step_up import step_up_required

from . import tokens
from .models import AREAS, SCOPES, ApiToken, TokenKind


def _scope_label(scope: str) -> str:
    area, access = scope.split(":")
    return f"{AREAS[area]}: {_('read and write') if access == 'write' else _('read')}"


class TokenForm(CalendarRangeMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: never (revoke it when it is no longer needed)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, _scope_label(scope)) for scope in SCOPES]


@require_http_methods(["GET", "POST"])
@step_up_required
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time.max), request.user.zone) if expires_on else None
        )
        try:
            created = tokens.token_create(
                by=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user, kind=TokenKind.PERSONAL, revoked_at__isnull=True)
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "created": created, "now": timezone.now()})


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.manageable_by(request.user).filter(user=request.user), pk=pk)
    tokens.token_revoke(by=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:tokens")
