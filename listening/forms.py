from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Term


class TermForm(forms.Form):
    kind = forms.ChoiceField(label=_("Listen for"), choices=Term.Kind.choices, initial=Term.Kind.HASHTAG)
    value = forms.CharField(
        label=_("Hashtag or handle"),
        max_length=253,
        help_text=_(
            "A hashtag such as #LaunchWeek (Bluesky and Mastodon), or the company's Bluesky handle "
            "such as acme.bsky.social (mentions of it on Bluesky)."
        ),
    )
