from django import forms

from .services import LOGO_MAX_BYTES


class BrandingForm(forms.Form):
    organisation_name = forms.CharField(max_length=120, label="Organisation name")
    programme_name = forms.CharField(
        max_length=80,
        label="Programme name",
        help_text="What people call the advocacy programme; shown in the header, page titles and emails.",
    )
    accent_colour = forms.CharField(
        max_length=7,
        label="Accent colour",
        help_text="Used for buttons, links and counts. It must reach WCAG AA (4.5:1) against white.",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    # A plain file field, so our decoder (not Django's quick check) judges the upload and explains a refusal.
    logo = forms.FileField(
        required=False,
        label="Logo",
        help_text=f"JPEG, PNG or WebP, up to {LOGO_MAX_BYTES // (1024 * 1024)} MB; shown about 2 rem high.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")


class SampleForm(forms.Form):
    """The style guide's form, shown bound to bad input so the error summary and inline errors appear."""

    headline = forms.CharField(max_length=20, label="Headline", help_text="Up to 20 characters.")
    email = forms.EmailField(label="Email address")
    agree = forms.BooleanField(label="I have read the guidelines")
