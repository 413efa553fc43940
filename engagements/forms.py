from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.calendar_range import CalendarRangeMixin
from accounts.forms import CrispyFormMixin
from accounts.models import Role, User

from . import selectors
from .models import (
    BillingRecord,
    ClientProfile,
    Engagement,
    Handoff,
    Integration,
    Milestone,
    Phase,
    Promise,
    ResourceLink,
    Stakeholder,
)
from .services import CLIENT_PROFILE_EDITABLE, ENGAGEMENT_EDITABLE

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClientForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    submit_label = _("Create client")
    name = forms.CharField(label=_("Client name"), max_length=200)

    class Meta:
        model = ClientProfile
        # What the service lets a profile change; its CSM is picked on the profile page, not when it is opened.
        fields = [field for field in CLIENT_PROFILE_EDITABLE if field != "csm"]
        widgets = {"contract_signed_on": DATE}

    field_order = ["name"]


class ClientProfileForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    # The client organization's own setting (``Organization.require_mfa``), edited with its profile.
    require_mfa = forms.BooleanField(
        label=_("Require two-factor login"),
        required=False,
        help_text=_("Everyone of this client signs in with an authenticator app as well as their password."),
    )

    class Meta:
        model = ClientProfile
        fields = list(CLIENT_PROFILE_EDITABLE)
        widgets = {"contract_signed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["csm"].queryset = User.objects.filter(role=Role.CSM, is_active=True)
        if self.instance.pk:
            self.fields["require_mfa"].initial = self.instance.organization.require_mfa


class BillingRecordForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add record")

    class Meta:
        model = BillingRecord
        fields = ["kind", "title", "due_on", "amount", "currency", "status"]
        widgets = {"due_on": DATE}


class ClientSelect(forms.Select):
    """The client picker of a new engagement: each client carries its contract signature date from its profile, so
    the form fills the engagement's date when a client is chosen (``static/js/app.js``, ``data-fills``)."""

    contract_dates: dict = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        signed = self.contract_dates.get(getattr(value, "value", value))
        if signed:
            option["attrs"]["data-contract-signed-on"] = signed.isoformat()
        return option


class EngagementForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        # What the services let an engagement's form change, and the client it is opened for.
        fields = ["client", *ENGAGEMENT_EDITABLE]
        widgets = {
            "client": ClientSelect(
                attrs={"data-fills": "id_contract_signed_on", "data-fills-from": "contract-signed-on"}
            ),
            "contract_signed_on": DATE,
            "kickoff_on": DATE,
            "target_go_live_on": DATE,
        }
        help_texts = {
            "contract_signed_on": _(
                "Taken from the client's profile; change it if this engagement has its own contract."
            ),
        }

    # Who may hold each seat: the people of the fitting role (and whoever holds it already, so an edit never
    # fails on a seat nobody touched).
    SEATS = {"csm": (Role.CSM,), "pm": (Role.PM,), "deputy_pm": (Role.PM,)}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name, roles in self.SEATS.items():
            current = getattr(self.instance, f"{name}_id", None)
            self.fields[name].queryset = selectors.vendor_people().filter(Q(role__in=roles) | Q(pk=current))
        self.fields["account_executive"].queryset = selectors.vendor_people()
        if self.instance.pk:
            del self.fields["client"]
            return
        clients = selectors.client_choices_for_engagement(user=user)
        self.fields["client"].queryset = clients
        self.fields["client"].help_text = _(
            "The clients you look after. For a new client, open the client first (Clients, New client)."
        )
        self.fields["client"].widget.contract_dates = selectors.client_contract_dates(clients)
        if user.role == Role.CSM:
            self.initial.setdefault("csm", user.pk)
        client_id = self.initial.get("client")
        if client_id and not self.initial.get("contract_signed_on"):
            self.initial["contract_signed_on"] = self.fields["client"].widget.contract_dates.get(int(client_id))

    def clean(self):
        data = super().clean()
        if data.get("pm") and data.get("pm") == data.get("deputy_pm"):
            self.add_error("deputy_pm", _("The deputy PM must be someone other than the PM."))
        return data


class PhaseForm(CalendarRangeMixin, CrispyFormMixin, forms.Form):
    submit_label = _("Move")
    to = forms.ChoiceField(label=_("Move to phase"), choices=Phase.choices)
    kickoff_on = forms.DateField(label=_("Kickoff date"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("Reason for closing"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("to") == Phase.KICKOFF and not data.get("kickoff_on"):
            self.add_error("kickoff_on", _("Give the kickoff date."))
        if data.get("to") == Phase.CLOSED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the engagement is closed; the reason stays with it."))
        return data


class HandoffForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
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


class PromiseForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    submit_label = _("Track promise")

    class Meta:
        model = Promise
        fields = ["description", "side", "source", "owner", "due_at"]
        widgets = {"due_at": DATETIME}
        help_texts = {"due_at": _("In your time zone.")}

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        engagement = engagement or self.instance.engagement
        # Either side's people: the service checks the owner belongs to the side that promised.
        self.fields["owner"].queryset = selectors.promise_owner_choices(engagement)


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
            # The key user decides for the client, and a linked row's address is where invitations go: only those
            # who manage the engagement name the key user or link a row. A disabled field keeps its current value
            # whatever is posted.
            self.fields["is_key_user"].disabled = True
            self.fields["is_key_user"].help_text = _("Only those who manage the engagement change who the key user is.")
            self.fields["user"].disabled = True
            self.fields["user"].help_text = _("Only those who manage the engagement link a row to a portal account.")

    def validate_constraints(self, exclude=None):
        # The service validates (engagement is set there); a half-built instance cannot be checked here.
        return None

    def _post_clean(self):
        # Leave model validation to the service, which knows the engagement.
        return None


class StakeholderInviteForm(CrispyFormMixin, forms.Form):
    submit_label = _("Send invitation")

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role in the portal"),
        choices=[
            (Role.CLIENT_KEY_USER.value, Role.CLIENT_KEY_USER.label),
            (Role.CLIENT_MEMBER.value, Role.CLIENT_MEMBER.label),
        ],
        help_text=_("The key user accepts stages and the work plan for the client."),
    )


class MilestoneForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
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


class ResourceLinkAudienceForm(forms.Form):
    """Who sees a link: ticked, the client on their portal too; unticked (or absent), the team only."""

    client_visible = forms.BooleanField(required=False)


class ResourceLinkForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add link")
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")

    class Meta:
        model = ResourceLink
        fields = ["kind", "title", "url", "client_visible"]
        labels = {"client_visible": _("Show on the client's portal")}
        help_texts = {
            "client_visible": _(
                "Scrum boards, documentation and environments usually are; untick the team's own links."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most links added for a project are the client's to use too; an internal one is unticked on purpose.
        if self.instance.pk is None:
            self.fields["client_visible"].initial = True


class MemberForm(CrispyFormMixin, forms.Form):
    submit_label = _("Add team member")
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.CharField(label=_("Role on the engagement"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.vendor_people()
