from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Delivery


class PreferencesForm(forms.Form):
    """One choice per category offered to the user; mandatory ones are shown but fixed to 'immediately'."""

    digest_hour = forms.TypedChoiceField(
        label=_("Send my daily digest at"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text=_("In your own time zone (set in your profile)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = registry.preference_categories(user=user)
        for category in self.categories:
            self.fields[f"category_{category.value}"] = forms.ChoiceField(
                label=category.label,
                choices=[(Delivery.IMMEDIATE.value, Delivery.IMMEDIATE.label)]
                if category.mandatory
                else Delivery.choices,
                disabled=category.mandatory,
                help_text=_("Always sent immediately; cannot be turned off.") if category.mandatory else "",
            )

    @classmethod
    def initial_from(cls, deliveries: dict, digest_hour: int) -> dict:
        return {
            "digest_hour": digest_hour,
            **{f"category_{c}": d for c, d in deliveries.items()},
        }

    def deliveries(self) -> dict:
        return {
            category.value: self.cleaned_data[f"category_{category.value}"]
            for category in self.categories
            if not category.mandatory
        }
