from django import forms

from advocacy.imaging import clean_uploaded_image, employee_decode_budget

from .models import User

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 16_000_000


class ProfileForm(forms.ModelForm):
    # A plain file field, so our decoder (not Django's quick check) judges the upload and explains a refusal.
    avatar = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPEG, PNG or WebP, up to 2 MB.",
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "team",
            "job_title",
            "avatar",
            "linkedin_profile_url",
            "x_handle",
            "mastodon_handle",
            "bluesky_handle",
            "digest_frequency",
            "notify_suggestion_updates",
            "notify_policy_updates",
            "hide_from_leaderboards",
        ]
        labels = {
            "linkedin_profile_url": "LinkedIn profile URL",
            "x_handle": "X handle",
            "hide_from_leaderboards": "Hide me from leaderboards",
        }
        help_texts = {
            "mastodon_handle": "For example @you@mastodon.social: sharing opens your own instance.",
            "bluesky_handle": "For example you.bsky.social.",
        }

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if not avatar or avatar is False or not hasattr(avatar, "content_type"):
            return avatar  # unchanged, or cleared
        clean = clean_uploaded_image(
            avatar,
            max_bytes=AVATAR_MAX_BYTES,
            max_pixels=AVATAR_MAX_PIXELS,
            max_decode_bytes=employee_decode_budget(),
        )
        return clean.as_django_file()


class SecondFactorCodeForm(forms.Form):
    """One field for an app's 6-digit code or a recovery code: people should not have to pick a mode first."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "aria-describedby": "id_code_help",
            }
        ),
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=16,
        help_text="Your app shows a new 6-digit code every 30 seconds.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "aria-describedby": "id_code_help",
            }
        ),
    )
