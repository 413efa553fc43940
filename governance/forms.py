import re
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.calendar_range import CalendarRangeMixin
from accounts.models import TIME_ZONE_CHOICES, User
from engagements.models import Side

from .models import Attendance, CadenceKind, CadenceTemplate, MeetingSeries, OutcomeKind
from .services import actions
from .services.series import SERIES_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
REASON = forms.CharField(label=_("Reason"), max_length=300, help_text=_("The participants see it."))


class CrispyMixin:
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class PlanApplyForm(CalendarRangeMixin, CrispyMixin, forms.Form):
    """The cadences to apply: each on its own (ticked when in the default plan) and one of each alternative group
    (the executive rhythm), with the engagement's time zone, the meetings' language and the first date."""

    submit_label = _("Apply the plan")
    time_zone = forms.ChoiceField(label=_("Time zone of the meetings"), choices=TIME_ZONE_CHOICES)
    language = forms.ChoiceField(label=_("Language of the agendas"), choices=settings.LANGUAGES)
    starts_on = forms.DateField(label=_("First meetings from"), widget=DATE)

    def __init__(self, *args, cadences, groups, running=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cadences, self.groups = cadences, groups
        # Ticked: the default plan, less what the engagement already runs (applying it again would skip it).
        self.fields["cadences"] = forms.MultipleChoiceField(
            label=_("Meetings"),
            choices=[(c.key, c.name) for c in cadences],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=[c.key for c in cadences if c.in_default_plan and c.key not in running],
        )
        for group, alternatives in groups.items():
            taken = any(c.key in running for c in alternatives)
            default = "" if taken else next((c.key for c in alternatives if c.in_default_plan), "")
            self.fields[f"group_{group}"] = forms.ChoiceField(
                label=alternatives[0].name.split("(")[0].strip() or group,
                choices=[(c.key, c.name) for c in alternatives] + [("", _("None"))],
                widget=forms.RadioSelect,
                required=False,
                initial=default,
            )

    def cadence_keys(self) -> list[str]:
        keys = list(self.cleaned_data.get("cadences") or [])
        keys += [
            self.cleaned_data[f"group_{group}"] for group in self.groups if self.cleaned_data.get(f"group_{group}")
        ]
        return keys


class SeriesForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = MeetingSeries
        fields = list(SERIES_FIELDS)
        widgets = {"start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        engagement = self.instance.engagement
        self.fields["owner"].queryset = actions.owner_choices(engagement, side=Side.VENDOR)
        if not self.instance.is_recurring:
            for name in ("frequency", "interval", "weekday", "week_of_month"):
                del self.fields[name]


class MeetingMoveForm(CalendarRangeMixin, CrispyMixin, forms.Form):
    submit_label = _("Move the meeting")
    starts_at = forms.DateTimeField(
        label=_("New start"), widget=DATETIME, help_text=_("In your time zone, as the rest of the portal.")
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600)
    reason = REASON


class MeetingCancelForm(forms.Form):
    reason = REASON


class MeetingAddForm(CalendarRangeMixin, CrispyMixin, forms.Form):
    submit_label = _("Schedule the meeting")
    cadence = forms.ModelChoiceField(
        label=_("Kind"),
        queryset=CadenceTemplate.objects.none(),
        required=False,
        empty_label=_("Another meeting (no template)"),
    )
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    starts_at = forms.DateTimeField(label=_("Start"), widget=DATETIME, help_text=_("In your time zone."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60)
    is_internal = forms.BooleanField(label=_("Vendor-internal (the client does not see it)"), required=False)

    def __init__(self, *args, language, **kwargs):
        super().__init__(*args, **kwargs)
        keys = {c.key: c.pk for c in CadenceTemplate.objects.active().in_language(language)}
        # The one-off kinds (kickoff, handoff meeting) in the plan's language.
        self.fields["cadence"].queryset = CadenceTemplate.objects.filter(pk__in=keys.values()).exclude(
            kind=CadenceKind.RECURRING
        )
        self.fields["starts_at"].initial = (timezone.localtime() + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )

    def clean(self):
        data = super().clean()
        if not data.get("cadence") and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the meeting a title, or choose a kind."))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)
    guidance = forms.CharField(label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_internal = forms.BooleanField(label=_("Vendor-internal"), required=False)


class AgendaItemEditForm(forms.Form):
    """The agenda entry's editor (htmx): only the fields posted change, the others stay as they are."""

    title = forms.CharField(label=_("Agenda item"), required=False, max_length=300)
    minutes = forms.CharField(label=_("Minutes"), required=False, max_length=10000, strip=False)
    internal_notes = forms.CharField(label=_("Internal notes"), required=False, max_length=10000, strip=False)
    is_internal = forms.CharField(required=False)

    def changes(self) -> dict:
        texts = ("title", "minutes", "internal_notes")
        changes = {name: self.cleaned_data[name] for name in texts if name in self.data}
        if "is_internal" in self.data:
            changes["is_internal"] = self.cleaned_data["is_internal"] == "on"
        return changes


class OutcomeForm(CalendarRangeMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    text = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_side = forms.ChoiceField(label=_("Side"), choices=[("", "—"), *Side.choices], required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)
    is_internal = forms.BooleanField(label=_("Vendor-internal"), required=False)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        vendor = actions.owner_choices(engagement, side=Side.VENDOR)
        client = actions.owner_choices(engagement, side=Side.CLIENT)
        self.fields["owner"].queryset = (vendor | client).distinct()


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("open", "open"), ("done", "done"), ("dropped", "dropped")])


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(choices=Attendance.choices)


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)


class PublishForm(forms.Form):
    """Sharing a version. The page's script also posts what is typed in open minutes editors and not saved yet, as
    ``draft-<agenda item id>-minutes`` and ``draft-<agenda item id>-internal_notes``: it is saved first."""

    change_note = forms.CharField(label=_("What changed (for a new version)"), max_length=300, required=False)

    DRAFT = re.compile(r"^draft-(\d+)-(minutes|internal_notes)$")
    DRAFT_MAX_LENGTH = 10000

    def clean(self):
        cleaned = super().clean()
        drafts: dict[int, dict[str, str]] = {}
        for key in self.data:
            match = self.DRAFT.match(key)
            if match is None:
                continue
            value = self.data.get(key, "")
            if len(value) > self.DRAFT_MAX_LENGTH or "\x00" in value:
                raise forms.ValidationError(
                    _("The minutes of an entry are longer than %(limit)s characters: shorten them and save again.")
                    % {"limit": self.DRAFT_MAX_LENGTH}
                )
            drafts.setdefault(int(match.group(1)), {})[match.group(2)] = value
        cleaned["drafts"] = drafts
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ParticipantForm(forms.Form):
    person = forms.ChoiceField(label=_("Add a participant"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = choices


class PromiseForm(CalendarRangeMixin, forms.Form):
    description = forms.CharField(label=_("What was promised"), max_length=500)
    side = forms.ChoiceField(label=_("Promised by"), choices=Side.choices, initial=Side.VENDOR)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME, help_text=_("In your time zone."))
    shown_to_client = forms.BooleanField(
        label=_("Made to the client (shown in the portal)"), required=False, initial=True
    )

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        vendor = actions.owner_choices(engagement, side=Side.VENDOR)
        client = actions.owner_choices(engagement, side=Side.CLIENT)
        self.fields["owner"].queryset = (vendor | client).distinct()


class PromiseStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("kept", "kept"), ("dropped", "dropped"), ("open", "open")])
