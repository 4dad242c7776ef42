from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from advocacy.networks import CAPTION_MAX_LENGTH, Network
from content_library.forms import VIDEO_ACCEPT


class ChallengeForm(forms.Form):
    title = forms.CharField(max_length=150)
    prompt = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What employees are asked to post about."),
    )
    hashtag = forms.CharField(max_length=60, help_text=_("Every entry must carry it, e.g. #LaunchWeek."))
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class EntryForm(forms.Form):
    caption = forms.CharField(
        label=_("Your post"),
        max_length=CAPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In your own words. The same guidelines apply as to every share, and it must carry the hashtag."),
    )
    network = forms.ChoiceField(label=_("Share it on"), choices=Network.choices)
    image = forms.FileField(label=_("Photo (optional)"), required=False, help_text=_("JPEG, PNG or WebP."))
    image_alt_text = forms.CharField(label=_("Describe the photo"), max_length=300, required=False)
    video = forms.FileField(
        label=_("Short video (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": VIDEO_ACCEPT}),
    )
    video_description = forms.CharField(label=_("What happens in the video"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].help_text = (
            f"MP4, MOV or WebM, up to {settings.CONTENT_VIDEO_MAX_BYTES // (1024 * 1024)} MB and "
            f"{settings.CONTENT_VIDEO_MAX_SECONDS} seconds."
        )


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        choices=[("yes", "Yes, put it in the library with my name"), ("no", "No, keep it mine")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
