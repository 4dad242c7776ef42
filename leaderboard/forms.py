import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PointsRules
from .services import RULE_FIELDS


class RulesForm(forms.ModelForm):
    """A new version of the points rules, starting from the ones in force."""

    class Meta:
        model = PointsRules
        fields = [*RULE_FIELDS, "note"]
        widgets = {"note": forms.TextInput(attrs={"placeholder": _("Why the points change")})}


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Reason for voiding"), strip=True)


class AdjustForm(forms.Form):
    points = forms.IntegerField(min_value=-100_000, max_value=100_000, help_text=_("Negative to take points away."))
    reason = forms.CharField(max_length=500, strip=True, help_text=_("The employee sees this with the adjustment."))
    # A fresh token per rendered form, so a double submit adjusts once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points


class RecomputeForm(forms.Form):
    reason = forms.CharField(
        max_length=500, strip=True, help_text=_("Kept in the audit trail and shown on each correction.")
    )
    since = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only re-price events from this day on (empty: the whole history)."),
    )
    confirm = forms.BooleanField(label=_("I understand this rewrites past totals with correction rows."))
