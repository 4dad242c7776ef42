from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from advocacy.forms import BoundedModelMultipleChoiceField
from advocacy.imaging import clean_uploaded_image, employee_decode_budget
from advocacy.networks import CAPTION_LIMITS, CAPTION_MAX_LENGTH, Network
from advocacy.people.models import Team

from .models import Campaign, Post, Suggestion, Topic
from .selectors import COMMS_POST_DEFAULT_SORT, COMMS_POST_SORTS, PostState

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def _image_help() -> str:
    return _("JPEG, PNG or WebP, up to %(megabytes)s MB.") % {
        "megabytes": settings.CONTENT_IMAGE_MAX_BYTES // (1024 * 1024)
    }


class CleanImageMixin:
    """Decode the upload while validating the form, so a refused image is a field error and nothing is saved."""

    employee_facing = False  # employees' uploads get the smaller decode budget

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload or not hasattr(upload, "read"):
            return upload
        clean = clean_uploaded_image(
            upload,
            max_bytes=settings.CONTENT_IMAGE_MAX_BYTES,
            max_pixels=settings.CONTENT_IMAGE_MAX_PIXELS,
            max_decode_bytes=employee_decode_budget() if self.employee_facing else None,
        )
        return clean.as_django_file()


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class FeedFilterForm(forms.Form):
    """The feed's filters; invalid values are simply ignored (a stale link still shows the feed)."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    topic = forms.ChoiceField(required=False)
    campaign = forms.ChoiceField(required=False)
    content_type = forms.ChoiceField(required=False, label="Type")
    network = forms.ChoiceField(required=False)

    def __init__(self, *args, topics=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "placeholder": "Title, text or caption"})
        self.fields["topic"].choices = [("", "All topics")] + [(t.slug, t.name) for t in topics]
        self.fields["campaign"].choices = [("", "All campaigns")] + [(c.slug, c.name) for c in campaigns]
        self.fields["content_type"].choices = [("", "All types"), *Post.ContentType.choices]
        self.fields["network"].choices = [("", "Any network"), *Network.choices]

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or None,
            "topic": data.get("topic") or None,
            "campaign": data.get("campaign") or None,
            "content_type": data.get("content_type") or None,
            "network": data.get("network") or None,
        }


class CommsPostListForm(forms.Form):
    """The comms post list's filters and sort; a value that is not on offer is an error, not a silent default."""

    state = forms.ChoiceField(required=False, label=_("State"))
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), required=False, empty_label=_("All campaigns"), label=_("Campaign")
    )
    content_type = forms.ChoiceField(required=False, label=_("Type"))
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    sort = forms.ChoiceField(required=False)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["state"].choices = [("", _("Any state")), *PostState.choices]
        self.fields["content_type"].choices = [("", _("All types")), *Post.ContentType.choices]
        self.fields["sort"].choices = [(f"{way}{key}", key) for key in COMMS_POST_SORTS for way in ("", "-")]
        self.fields["campaign"].error_messages["invalid_choice"] = _("That campaign does not exist (any more).")
        self.fields["sort"].error_messages["invalid_choice"] = _("The list cannot be sorted that way.")
        self.fields["state"].error_messages["invalid_choice"] = _("Choose one of the states in the list.")

    def filters(self) -> dict:
        """The selector's keyword arguments (call after is_valid())."""
        data = self.cleaned_data
        return {
            "state": data.get("state") or None,
            "campaign": data.get("campaign"),
            "content_type": data.get("content_type") or None,
            "search": data.get("q") or None,
            "sort": data.get("sort") or COMMS_POST_DEFAULT_SORT,
        }

    @property
    def filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("state", "campaign", "content_type", "q"))


class PostForm(CleanImageMixin, forms.ModelForm):
    """The comms editor: content, per-network captions, targeting, schedule, and optionally a first image."""

    new_topics = forms.CharField(
        required=False, max_length=200, help_text=_("Comma-separated; created if they do not exist yet.")
    )
    image = forms.FileField(
        required=False,
        label=_("Add an image"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT, "data-preview-image": ""}),
    )
    image_alt_text = forms.CharField(required=False, max_length=300, label=_("Image description (alt text)"))

    class Meta:
        model = Post
        fields = [
            "title",
            "body",
            "destination_url",
            "content_type",
            "topics",
            "campaign",
            "is_featured",
            "suggested_caption",
            "caption_editable",
            "hashtags",
            "target_everyone",
            "target_teams",
            "publish_at",
            "expires_at",
        ]
        labels = {
            "destination_url": _("Link (article, job posting, product page)"),
            "is_featured": _("Feature at the top of the feed"),
            "target_everyone": _("Show to everyone"),
            "target_teams": _("…or only to these teams"),
            "publish_at": _("Publish at"),
            "expires_at": _("Expires at"),
        }
        help_texts = {
            "publish_at": _("Leave empty to keep it unscheduled; an approved post goes live at this time."),
            "expires_at": _("Leave empty to keep it in the feed until archived."),
        }
        field_classes = {"topics": BoundedModelMultipleChoiceField, "target_teams": BoundedModelMultipleChoiceField}
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "target_teams": forms.CheckboxSelectMultiple,
            "publish_at": DateTimeLocalInput(),
            "expires_at": DateTimeLocalInput(),
            "body": forms.Textarea(attrs={"rows": 4}),
            "suggested_caption": forms.Textarea(attrs={"rows": 4, "data-caption": "default"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.order_by("name")
        self.fields["target_teams"].queryset = Team.objects.order_by("name")
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")
        self.fields["image"].help_text = _image_help()
        self.fields["title"].widget.attrs["data-preview-title"] = ""
        self.fields["hashtags"].widget.attrs["data-preview-hashtags"] = ""
        self.fields["destination_url"].widget.attrs["data-preview-link"] = ""
        self.fields["destination_url"].assume_scheme = "https"
        existing = {}
        if self.instance.pk:
            existing = {caption.network: caption.text for caption in self.instance.captions.all()}
        self.caption_field_names = []
        for network in Network:
            name = f"caption_{network.value}"
            limit = CAPTION_LIMITS.get(network.value)
            self.fields[name] = forms.CharField(
                required=False,
                max_length=CAPTION_MAX_LENGTH,
                label=_("%(label)s caption") % {"label": network.label},
                initial=existing.get(network.value, ""),
                help_text=_("%(network)s takes up to %(limit)s characters, tracked link included.")
                % {"network": network.label, "limit": f"{limit:,}"},
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "data-caption": network.value,
                        "data-limit": limit or "",
                        "data-label": network.label,
                    }
                ),
            )
            self.caption_field_names.append(name)

    def caption_fields(self):
        return [self[name] for name in self.caption_field_names]

    def main_fields(self):
        hidden = {*self.caption_field_names, "image", "image_alt_text"}
        return [field for field in self.visible_fields() if field.name not in hidden]

    # The editor's sections, in order: (anchor, heading, field names). Per-network captions and
    # the image have their own sections; a field named nowhere lands in the first.
    SECTIONS = (
        ("post-content", _("Content"), ("title", "body", "destination_url", "content_type")),
        ("post-caption", _("Caption"), ("suggested_caption", "caption_editable", "hashtags")),
        ("post-filing", _("Topics and campaign"), ("topics", "new_topics", "campaign", "is_featured")),
        ("post-audience", _("Audience"), ("target_everyone", "target_teams")),
        ("post-schedule", _("Schedule"), ("publish_at", "expires_at")),
    )

    def sections(self) -> list[dict]:
        """The main fields grouped for the editor: {"id", "heading", "fields", "has_errors"} each."""
        fields = {field.name: field for field in self.main_fields()}
        placed = {name for _, _, names in self.SECTIONS for name in names}
        sections = []
        for index, (anchor, heading, names) in enumerate(self.SECTIONS):
            chosen = [fields[name] for name in names if name in fields]
            if index == 0:
                chosen += [field for name, field in fields.items() if name not in placed]
            sections.append(
                {
                    "id": anchor,
                    "heading": heading,
                    "fields": chosen,
                    "has_errors": any(field.errors for field in chosen),
                }
            )
        return sections

    def captions_have_content(self) -> bool:
        """Open the per-network captions when one is filled in or has an error."""
        return any(field.errors or field.value() for field in self.caption_fields())

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("image_alt_text") or "").strip():
            self.add_error("image_alt_text", _("Describe the image for people who cannot see it."))
        publish_at, expires_at = data.get("publish_at"), data.get("expires_at")
        if publish_at and expires_at and expires_at <= publish_at:
            self.add_error("expires_at", _("The post must expire after it is published."))
        return data

    def captions(self) -> dict[str, str]:
        return {network.value: self.cleaned_data.get(f"caption_{network.value}", "") for network in Network}

    def post_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in ("topics", "target_teams")}
        fields.pop("title")
        return fields


class ImageAddForm(CleanImageMixin, forms.Form):
    image = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))
    alt_text = forms.CharField(max_length=300, label=_("Image description (alt text)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _image_help()


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Post.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label=_("Publish at"))
    expires_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label=_("Expires at"))


class SuggestionReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput)
    title = forms.CharField(required=False, max_length=200, label=_("Post title"))
    publish_now = forms.BooleanField(required=False, initial=True, label=_("Publish now"))
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SuggestionForm(CleanImageMixin, forms.ModelForm):
    employee_facing = True

    image = forms.FileField(required=False, widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))

    class Meta:
        model = Suggestion
        fields = ["url", "text", "image", "image_alt_text", "draft_caption"]
        labels = {
            "url": "Link",
            "text": "What is it about?",
            "image_alt_text": "Image description (alt text)",
            "draft_caption": "Draft caption",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "draft_caption": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].assume_scheme = "https"
        self.fields["image"].help_text = _image_help()


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "hashtag", "description", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign must end on or after its first day."))
        return data


VIDEO_ACCEPT = "video/mp4,video/webm,video/quicktime,.mp4,.webm,.mov"


def _video_help() -> str:
    return _(
        "MP4, MOV or WebM, up to %(megabytes)s MB and %(seconds)s seconds. Location and other metadata are removed."
    ) % {"megabytes": settings.CONTENT_VIDEO_MAX_BYTES // (1024 * 1024), "seconds": settings.CONTENT_VIDEO_MAX_SECONDS}


class VideoForm(forms.Form):
    video = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": VIDEO_ACCEPT}))
    video_description = forms.CharField(max_length=300, label=_("What happens in the video"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].help_text = _video_help()
