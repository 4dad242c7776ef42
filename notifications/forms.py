from django import forms

from advocacy.people.models import User

from .models import PushFrequency
from .push import PUSH_KINDS

EMAIL_FIELDS = ["digest_frequency", "notify_policy_updates", "notify_suggestion_updates"]


class NotificationPreferencesForm(forms.Form):
    """Every notification switch a person has: email (on their profile record) and push (per kind)."""

    digest_frequency = forms.ChoiceField(label="Weekly digest email", choices=User.DigestFrequency.choices)
    notify_policy_updates = forms.BooleanField(
        label="Email me about a new policy version to acknowledge", required=False
    )
    notify_suggestion_updates = forms.BooleanField(label="Email me when my suggestion is approved", required=False)

    def __init__(self, *args, push_frequencies: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, frequency in (push_frequencies or {}).items():
            self.fields[f"push_{kind}"] = forms.ChoiceField(
                label=PUSH_KINDS[kind].label, choices=PushFrequency.choices, initial=frequency
            )

    def push_frequencies(self) -> dict[str, str]:
        return {
            name.removeprefix("push_"): value for name, value in self.cleaned_data.items() if name.startswith("push_")
        }

    def email_changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EMAIL_FIELDS}
