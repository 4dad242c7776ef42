from django import forms
from django.core.exceptions import ValidationError

from advocacy.people.models import Team
from content_library.models import Campaign, Post

from . import services
from .models import Goal


class GoalForm(forms.ModelForm):
    content_type = forms.ChoiceField(
        choices=[("", "All content types"), *Post.ContentType.choices], required=False, label="Content type"
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
        self.fields["campaign"].empty_label = "All campaigns"
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].empty_label = "All teams"

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
