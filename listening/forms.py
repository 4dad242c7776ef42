from django import forms

from .models import Term


class TermForm(forms.Form):
    kind = forms.ChoiceField(label="Listen for", choices=Term.Kind.choices, initial=Term.Kind.HASHTAG)
    value = forms.CharField(
        label="Hashtag or handle",
        max_length=253,
        help_text="A hashtag such as #LaunchWeek (Bluesky and Mastodon), or the company's Bluesky handle "
        "such as acme.bsky.social (mentions of it on Bluesky).",
    )
