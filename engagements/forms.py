from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyFormMixin
from accounts.models import Role, User

from . import selectors
from .models import (
    BillingRecord,
    ClientProfile,
    Commitment,
    Engagement,
    Handoff,
    Integration,
    Milestone,
    Phase,
    ResourceLink,
    Stakeholder,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClientForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Create client")
    name = forms.CharField(label=_("Client name"), max_length=200)

    class Meta:
        model = ClientProfile
        fields = [
            "industry",
            "contract_signed_on",
            "contract_term_months",
            "services_in_scope",
            "vendor_obligations",
            "client_obligations",
            "commercial_summary",
            "knowledge_page",
        ]
        widgets = {"contract_signed_on": DATE}

    field_order = ["name"]


class ClientProfileForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = ClientProfile
        fields = [*ClientForm.Meta.fields, "csm"]
        widgets = {"contract_signed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["csm"].queryset = User.objects.filter(role=Role.CSM, is_active=True)


class BillingRecordForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add record")

    class Meta:
        model = BillingRecord
        fields = ["kind", "title", "due_on", "amount", "currency", "status"]
        widgets = {"due_on": DATE}


class EngagementForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "client",
            "name",
            "description",
            "csm",
            "pm",
            "deputy_pm",
            "account_executive",
            "contract_signed_on",
            "kickoff_on",
            "target_go_live_on",
            "planned_effort_days",
            "planned_amount",
            "currency",
        ]
        widgets = {"contract_signed_on": DATE, "kickoff_on": DATE, "target_go_live_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = selectors.vendor_people()
        for name in ("csm", "pm", "deputy_pm", "account_executive"):
            self.fields[name].queryset = staff
        self.fields["client"].queryset = selectors.client_choices_for_engagement(user=user)
        self.fields["client"].help_text = _(
            "The clients you look after. For a new client, open the client first (Clients, New client)."
        )
        if self.instance.pk:
            del self.fields["client"]
        elif user.role == Role.CSM:
            self.initial.setdefault("csm", user.pk)


class PhaseForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to phase"), choices=Phase.choices)


class HandoffForm(CrispyFormMixin, forms.ModelForm):
    complete = forms.BooleanField(
        label=_("The handoff is complete (opens the kickoff gate)"), required=False, initial=False
    )

    class Meta:
        model = Handoff
        fields = [
            "problem",
            "success_measures",
            "stakeholder_notes",
            "concerns",
            "working_style",
            "political_dynamics",
            "handed_over_by",
            "meeting_on",
        ]
        widgets = {"meeting_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_over_by"].queryset = selectors.vendor_people()
        self.fields["handed_over_by"].required = False
        for name in ("problem", "success_measures", "stakeholder_notes", "concerns", "working_style"):
            self.fields[name].widget.attrs["rows"] = 3


class CommitmentForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Track commitment")

    class Meta:
        model = Commitment
        fields = ["description", "side", "source", "owner", "due_at"]
        widgets = {"due_at": DATETIME}
        help_texts = {"due_at": _("In your time zone.")}

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        engagement = engagement or self.instance.engagement
        # Either side's people: the service checks the owner belongs to the side that promised.
        self.fields["owner"].queryset = selectors.commitment_owner_choices(engagement)


class StakeholderForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add stakeholder")

    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "email",
            "role_title",
            "involvement",
            "influence",
            "cares_about",
            "preferred_contact",
            "user",
            "is_key_user",
            "is_executive_sponsor",
        ]

    def __init__(self, *args, engagement, may_change_key_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organization_id=engagement.client_id, is_active=True)
        self.fields["cares_about"].widget.attrs["rows"] = 2
        if not may_change_key_user:
            # The key user decides for the client: only those who manage the engagement name or re-link them.
            # A disabled field keeps its current value whatever is posted.
            note = _("Only those who manage the engagement change who the key user is.")
            self.fields["is_key_user"].disabled = True
            self.fields["is_key_user"].help_text = note
            if self.instance.is_key_user:
                self.fields["user"].disabled = True
                self.fields["user"].help_text = note

    def validate_constraints(self, exclude=None):
        # The service validates (engagement is set there); a half-built instance cannot be checked here.
        return None

    def _post_clean(self):
        # Leave model validation to the service, which knows the engagement.
        return None


class MilestoneForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add milestone")

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "is_early_win", "reached_on"]
        widgets = {"due_on": DATE, "reached_on": DATE}


class IntegrationForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add integration")

    class Meta:
        model = Integration
        fields = ["provider", "purpose", "status", "client_owner", "test_environment_ready", "blockers"]


class ResourceLinkForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add link")
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")

    class Meta:
        model = ResourceLink
        fields = ["kind", "title", "url"]


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.CharField(label=_("Role on the engagement"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.vendor_people()
