import re
import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.forms import BoundedModelMultipleChoiceField
from advocacy.people.models import User
from advocacy.people.roles import Role
from content_library.models import Campaign

from .models import Draw, Winner
from .services import PrizeSpec

_PRIZE_LINE = re.compile(r"^\s*(?:(\d+)\s*[x×]\s+)?(.+?)\s*$")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _in_zone(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """Read the wall-clock time typed into the form as a time in the draw's own time zone."""
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zone)


class DrawForm(forms.Form):
    name = forms.CharField(max_length=150)
    prizes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One prize per line; start with a quantity to give several, e.g. “3 x Conference ticket”."),
    )
    time_zone = forms.CharField(initial="UTC", max_length=64, help_text=_("For example Europe/Paris."))
    opens_at = forms.DateTimeField(widget=DateTimeLocalInput(), label=_("Entries open"))
    closes_at = forms.DateTimeField(widget=DateTimeLocalInput(), label=_("Entries close"))
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Count shares from"))
    period_end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("Count shares until (inclusive)")
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), required=False, empty_label=_("Any campaign")
    )
    minimum_shares = forms.IntegerField(min_value=0, initial=0, max_value=10_000)
    require_policy_acknowledgement = forms.BooleanField(
        required=False, initial=True, label=_("Entrants must have acknowledged the current social media policy")
    )
    excluded_roles = forms.MultipleChoiceField(
        choices=[(role.value, role.value) for role in Role if role != Role.EMPLOYEE],
        initial=[Role.COMMS_ADMIN.value, Role.HR.value],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Checkboxes in a list the page's search box filters (static/js/filter_list.js), not a
    # 60-name multi-select that needs Ctrl-click.
    excluded_people = BoundedModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "filter-list"}),
        help_text=_("Type part of a name to narrow the list; tick everyone to leave out."),
    )
    weighting = forms.ChoiceField(choices=Draw.Weighting.choices, initial=Draw.Weighting.PER_PERSON)
    weight_cap = forms.IntegerField(min_value=1, max_value=1000, initial=10, label=_("Most entries per person"))
    free_entry_enabled = forms.BooleanField(
        required=False, label=_("Offer a free entry request (no sharing needed, counts like one share)")
    )
    max_prizes_per_person = forms.IntegerField(min_value=1, max_value=10, initial=1)
    public_randomness_source = forms.CharField(
        required=False,
        max_length=300,
        label=_("Public randomness to mix in (optional)"),
        help_text=_("Name a value published after entries close, e.g. “drand quicknet round 12345678”."),
    )
    rules_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label=_("Official rules"),
        help_text=(
            _("Eligibility, dates and time zone, prizes, odds, how winners are chosen and where they are published.")
        ),
    )

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Enter a time zone name such as Europe/Paris or UTC."))
        return value

    def clean_prizes(self):
        prizes = []
        for line in self.cleaned_data["prizes"].splitlines():
            if not line.strip():
                continue
            quantity, description = _PRIZE_LINE.match(line).groups()
            # Checked by length first: int() refuses strings of over 4,300 digits with a ValueError.
            quantity = int(quantity) if quantity and len(quantity) <= 4 else (1 if not quantity else 0)
            if not 1 <= quantity <= 1000:
                raise forms.ValidationError(
                    _("“%(line)s”: the quantity must be between 1 and 1000.") % {"line": line.strip()}
                )
            if len(description) > 200:
                raise forms.ValidationError(_("A prize description is at most 200 characters."))
            prizes.append(PrizeSpec(description, quantity))
        if not prizes:
            raise forms.ValidationError(_("Add at least one prize."))
        return prizes

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if not zone_name:
            return data
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("opens_at", "closes_at"):
            if data.get(name):
                data[name] = _in_zone(data[name], zone)
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("Entries must close after they open."))
        if data.get("period_start") and data.get("period_end"):
            if data["period_end"] < data["period_start"]:
                self.add_error("period_end", _("The period must end on or after its first day."))
            elif data["period_end"] >= date.max:
                # The period runs to midnight after its last day, which must still be a date.
                self.add_error("period_end", _("Choose an earlier last day."))
            else:
                data["period_start"] = datetime.combine(data["period_start"], time(), tzinfo=zone)
                data["period_end"] = datetime.combine(data["period_end"] + timedelta(days=1), time(), tzinfo=zone)
        return data


class RulesForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Official rules"))


class DrawRunForm(forms.Form):
    public_value = forms.CharField(
        required=False, max_length=500, label=_("Announced public value"), help_text=_("Copy it exactly as published.")
    )
    # Shown only when nobody entered: the second confirmation services.draw_run asks for.
    confirm_no_entrants = forms.BooleanField(
        required=False, label=_("Yes, draw it with 0 entrants: nobody will win a prize")
    )


class RedrawForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Winner.Status.DECLINED, _("Declined the prize")), (Winner.Status.INELIGIBLE, _("Is ineligible"))],
        label=_("Why is this winner replaced?"),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label=_("Reason (kept in the log)")
    )
