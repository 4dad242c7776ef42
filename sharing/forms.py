from django import forms

from advocacy.networks import Network
from advocacy.people.models import mastodon_handle_validator


class ShareForm(forms.Form):
    network = forms.ChoiceField(choices=Network.choices, widget=forms.RadioSelect)
    caption = forms.CharField(max_length=3000, required=False, strip=False)
    # Asked for only when someone shares to Mastodon without a handle on their profile.
    mastodon_handle = forms.CharField(
        max_length=120,
        required=False,
        validators=[mastodon_handle_validator],
        label="Your Mastodon handle",
        help_text="For example @you@mastodon.social; saved to your profile.",
    )


class PublishedUrlForm(forms.Form):
    url = forms.CharField(max_length=500, label="Link to your published post")
