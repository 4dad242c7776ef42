from django import forms

from advocacy.networks import CAPTION_MAX_LENGTH, Network
from advocacy.people.models import mastodon_handle_validator


class ShareForm(forms.Form):
    network = forms.ChoiceField(choices=Network.choices, widget=forms.RadioSelect)
    # The longest any network takes; each network's own limit is the caption check's (one number each).
    caption = forms.CharField(max_length=CAPTION_MAX_LENGTH, required=False, strip=False)
    # Asked for only when someone shares to Mastodon without a handle on their profile.
    mastodon_handle = forms.CharField(
        max_length=120,
        required=False,
        validators=[mastodon_handle_validator],
        label="Your Mastodon handle",
        help_text="For example @you@mastodon.social; saved to your profile.",
    )

    # A one-time token the share panel renders (share_submission_token); see services.share_create.
    submission = forms.CharField(max_length=64, required=False)


class PublishedUrlForm(forms.Form):
    url = forms.CharField(max_length=500, label="Link to your published post")
