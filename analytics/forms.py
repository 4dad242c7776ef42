from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.people.models import Team

from .selectors import Filters, default_filters

MAX_RANGE_DAYS = 731


class DashboardFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label=_("All teams"), label=_("Team")
    )

    def __init__(self, data=None, *, with_team: bool = True):
        defaults = default_filters()
        if data is not None and not any(data.get(name) for name in ("start", "end", "team")):
            data = None  # a bare visit shows the last 30 days rather than "this field is required"
        elif data is not None and not data.get("start") and not data.get("end"):
            # A team chosen without dates: that team over the default range, not a form error.
            data = data.copy()
            data["start"], data["end"] = defaults.start.isoformat(), defaults.end.isoformat()
        super().__init__(data, initial={"start": defaults.start, "end": defaults.end})
        if not with_team:
            del self.fields["team"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error("start", _("Choose a range of at most %(days)s days.") % {"days": MAX_RANGE_DAYS})
            elif start > timezone.localdate() + timedelta(days=1):
                self.add_error("start", _("The start date is in the future: there is nothing to show yet."))
        return cleaned

    def filters(self) -> Filters:
        """The chosen filters when valid, else the defaults (the page still shows figures next to the errors)."""
        if not self.is_bound:
            return default_filters()
        if not self.is_valid():
            return default_filters()
        return Filters(
            start=self.cleaned_data["start"], end=self.cleaned_data["end"], team=self.cleaned_data.get("team")
        )
