from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.networks import CAPTION_MAX_LENGTH, Network

from .models import GuidelineDocument


class DocumentCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=GuidelineDocument.Kind.choices)
    summary = forms.CharField(max_length=300, required=False, help_text=_("One line for the table of contents."))
    position = forms.IntegerField(min_value=0, max_value=1000, initial=10, help_text=_("Lower comes first."))
    body = forms.CharField(
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 20, "class": "markdown-source"}),
        help_text=_(
            "Markdown: ## headings, **bold**, lists, [links](https://…), tables and images "
            "uploaded on the images page. Scripts and unsafe links are removed."
        ),
    )


class DocumentDetailsForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=300, required=False)
    position = forms.IntegerField(min_value=0, max_value=1000)


class VersionForm(forms.Form):
    body = forms.CharField(
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 24, "class": "markdown-source"}),
        help_text=_("Markdown. Publishing creates a new version; earlier versions stay in the history."),
    )
    change_summary = forms.CharField(
        max_length=500, help_text=_("What changed, in a sentence: employees see it in the history.")
    )
    is_major = forms.BooleanField(
        required=False,
        label=_("Major change (asks everyone to acknowledge the policy again)"),
        help_text=_("Only the social media policy is acknowledged; for other guides it marks the change as important."),
    )


class ImageUploadForm(forms.Form):
    image = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 8 MB. It is re-encoded and its metadata removed."),
    )
    alt_text = forms.CharField(
        max_length=300, label=_("Alt text"), help_text=_("What the image shows, for screen readers.")
    )


class BannedTermForm(forms.Form):
    term = forms.CharField(max_length=120, help_text=_("A word or phrase; matched as whole words, in any case."))
    reason = forms.CharField(max_length=300, help_text=_("Shown to employees whose caption contains it."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class DisclosureForm(forms.Form):
    disclosure = forms.CharField(
        max_length=60, required=False, help_text=_("Every share must carry it, e.g. #employee. Empty: none required.")
    )
    reward_draw_disclosure = forms.CharField(
        max_length=60,
        required=False,
        label=_("Disclosure when the share enters a reward draw"),
        help_text=_("Required instead of the one above, e.g. #ad."),
    )


class ContactCardForm(forms.Form):
    lead_name = forms.CharField(max_length=120, required=False, label=_("Program lead"))
    lead_title = forms.CharField(max_length=120, required=False, label=_("Job title"))
    lead_email = forms.EmailField(required=False, label=_("Email"))
    lead_phone = forms.CharField(max_length=40, required=False, label=_("Phone"))
    lead_note = forms.CharField(
        max_length=300, required=False, label=_("Note"), help_text=_("e.g. when to get in touch.")
    )


class CaptionTryForm(forms.Form):
    network = forms.ChoiceField(choices=Network.choices, widget=forms.RadioSelect, initial=Network.LINKEDIN)
    caption = forms.CharField(max_length=CAPTION_MAX_LENGTH, required=False, strip=False)
