from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from advocacy.people.models import Team
from content_library.models import Campaign, Post

from . import services
from .models import Goal


class GoalForm(forms.ModelForm):
    content_type = forms.ChoiceField(
        choices=[("", _("All content types")), *Post.ContentType.choices], required=False, label=_("Content type")
    )

    class Meta:
        model = Goal
        fields = ["name", "measure", "target", "start", "end", "campaign", "team", "content_type"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"start": "From", "end": "To"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")
        self.fields["campaign"].empty_label = _("All campaigns")
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].empty_label = _("All teams")

    def _post_clean(self):
        # The service owns the rules (end after start, a positive target, a percentage ≤ 100).
        super()._post_clean()
        data = self.cleaned_data
        if all(data.get(name) is not None for name in ("measure", "target", "start", "end")):
            try:
                services._check_goal(
                    measure=data["measure"], target=data["target"], start=data["start"], end=data["end"]
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        if field not in self.errors or message not in self.errors[field]:
                            self.add_error(field, message)


class StatedAudienceForm(forms.Form):
    linkedin_connections = forms.IntegerField(
        label=_("Your LinkedIn connections"),
        min_value=0,
        max_value=services.MAX_LINKEDIN_CONNECTIONS,
        required=False,
        help_text=_("As LinkedIn shows it on your profile. Leave empty to withdraw it. Shown to comms as “stated”."),
    )


class ReachCalculatorForm(forms.Form):
    employees = forms.IntegerField(label=_("Employees (N)"), min_value=1, max_value=10_000_000)
    participation_percent = forms.DecimalField(
        label=_("Participation (% of them who share)"), min_value=0, max_value=100, decimal_places=1
    )
    posts_per_month = forms.IntegerField(label=_("Posts a month each shares (M)"), min_value=1, max_value=1000)
    audience_per_share = forms.IntegerField(
        label=_("Audience per share"),
        min_value=0,
        max_value=100_000_000,
        help_text=_("Defaults to your programme's average."),
    )


class PulseSurveyForm(forms.Form):
    title = forms.CharField(max_length=120, initial="Monthly pulse")
    period = forms.CharField(max_length=20, help_text=_('The period it asks about, e.g. "2026-12".'))
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("3 to 5 statements, one a line, answered from 1 (strongly disagree) to 5 (strongly agree)."),
        initial="Our brand promise matches my day-to-day work.\nI would recommend working here to a friend.\n"
        "I am proud to share what we do.",
    )


def pulse_answer_form(survey):
    """A form with one 1–5 choice per question of the survey, plus an optional comment."""
    scale = [(str(n), f"{n}") for n in range(1, 6)]
    fields = {
        f"q{question.pk}": forms.TypedChoiceField(
            label=question.text, choices=scale, coerce=int, widget=forms.RadioSelect, required=True
        )
        for question in survey.questions.all()
    }
    fields["comment"] = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        label=_("Anything to add? (optional)"),
        help_text=_("Stored without your name, team or the time. Do not write anything that identifies you."),
    )
    return type("PulseAnswerForm", (forms.Form,), fields)


class InvitationForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        label=_("A word from you (optional)"),
        help_text=_("Shown with the invitation."),
    )


class CohortForm(forms.Form):
    name = forms.CharField(max_length=120, help_text=_("For example “2027 Insiders”."))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False)


class CohortAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label=_("Ambassador"), empty_label=_("Choose an ambassador"))

    def __init__(self, *args, cohort, **kwargs):
        from .ambassadorship import ambassadors_not_in

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = ambassadors_not_in(cohort=cohort)
        self.fields["user"].label_from_instance = lambda user: user.display_name or user.username


class BetaGroupForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.order_by("name"), empty_label=_("Choose a campaign"))
    cohort = forms.ModelChoiceField(queryset=None, empty_label=_("Choose a cohort"))
    opens_to_everyone_at = forms.DateTimeField(
        label=_("Opens to everyone at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Until then only the cohort sees the campaign's posts in the library, the API and the share panel."
        ),
    )

    def __init__(self, *args, **kwargs):
        from .models import Cohort

        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.order_by("name")


class FeedbackForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label=_("Your feedback"),
        help_text=_("Ambassadors and comms see it."),
    )


class InsidersPageForm(forms.Form):
    enabled = forms.BooleanField(required=False, label=_("Show the Insiders page to everyone, signed in or not"))


class InsiderProfileForm(forms.Form):
    bio = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=280,
        required=False,
        help_text=_("A sentence or two about you and your work, at most 280 characters."),
    )
    photo = forms.ImageField(
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, at most 2 MB; stored re-encoded without its metadata. "
            "Without one, your avatar is shown."
        ),
    )
    picks = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Your picks (up to 3)"),
        help_text=_("Posts you shared; the page links them through your own tracked links."),
    )
    consent = forms.BooleanField(
        required=False,
        label=_("I agree to appear on the public Insiders page with my name, photo, bio and picks"),
        help_text=_("You can withdraw this at any time; you disappear from the page at once."),
    )

    def __init__(self, *args, shares, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["picks"].choices = [
            (share.pk, f"{share.post.title} ({share.get_network_display()})") for share in shares
        ]
