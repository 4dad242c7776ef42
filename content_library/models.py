from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from advocacy.networks import CAPTION_MAX_LENGTH, Network
from advocacy.shapes import hashtag_validate, hashtags_validate

http_url_validator = URLValidator(schemes=["http", "https"])


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    hashtag = models.CharField(
        max_length=60, blank=True, help_text="Without or with the leading #.", validators=[hashtag_validate]
    )
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ARCHIVED = "archived", "Archived"

    class Kind(models.TextChoices):
        # Written by comms (or from a suggestion) for everyone to share: the library.
        LIBRARY = "library", "Library post"
        # An employee's own words, written for a challenge: shareable by its author only, never in the feed.
        EMPLOYEE = "employee", "Employee's own post"

    class ContentType(models.TextChoices):
        COMPANY_NEWS = "company_news", "Company news"
        INDUSTRY = "industry", "Industry / third-party"
        CULTURE = "culture", "Culture"
        JOB = "job", "Job"
        PRODUCT = "product", "Product"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    body = models.TextField(max_length=5000, blank=True)
    destination_url = models.URLField(max_length=2000, blank=True, validators=[http_url_validator])
    content_type = models.CharField(max_length=20, choices=ContentType.choices, default=ContentType.COMPANY_NEWS)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIBRARY, db_default=Kind.LIBRARY)
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    is_featured = models.BooleanField(default=False)
    suggested_caption = models.TextField(max_length=CAPTION_MAX_LENGTH, blank=True)
    caption_editable = models.BooleanField(default=True, help_text="Employees may edit the caption.")
    # One bit per network the caption fits as shared (content_library.caption_fit); kept by the services.
    caption_fit_mask = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    hashtags = models.CharField(
        max_length=300,
        blank=True,
        help_text="Hashtags every share must carry, separated by spaces.",
        validators=[hashtags_validate],
    )
    target_everyone = models.BooleanField(default=True)
    target_teams = models.ManyToManyField("people.Team", blank=True, related_name="targeted_posts")
    publish_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_posts"
    )
    # The employee whose suggestion became this post, credited on the card.
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggested_posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_featured", "-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "publish_at", "expires_at"], name="post_live_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(publish_at__isnull=True)
                | models.Q(expires_at__gt=models.F("publish_at")),
                name="post_expires_after_publish",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PostCaption(models.Model):
    """A per-network override of the suggested caption."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="captions")
    network = models.CharField(max_length=20, choices=Network.choices)
    text = models.TextField(max_length=CAPTION_MAX_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "network"], name="one_caption_per_network")]

    def __str__(self) -> str:
        return f"{self.get_network_display()} caption for {self.post_id}"


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="posts/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    # {"1200x627": "posts/renditions/…jpg", …}; empty while the rendition task has not run yet.
    renditions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class PostVideo(models.Model):
    """A post's short video: a probed, remuxed file without metadata, its poster, and (when needed) an MP4 transcode.

    `file` is what is played and downloaded: the remuxed upload until the transcode to
    H.264/AAC MP4 has run (status "processing"), then the MP4 ("ready").
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", "Being converted for every browser"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be converted"

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="video")
    file = models.FileField(upload_to="videos/%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(default=0)
    poster = models.ImageField(upload_to="videos/posters/%Y/%m/", max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(default=0)
    description = models.CharField(max_length=300, help_text="What happens in the video, for people who cannot see it.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.description


class PostTransition(models.Model):
    """One step of the approval workflow: who moved the post, from what to what, and why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Post.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Post.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class Suggestion(models.Model):
    """Content an employee proposes for the library."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions")
    url = models.URLField(max_length=2000, blank=True, validators=[http_url_validator])
    text = models.TextField(max_length=5000, blank=True)
    image = models.ImageField(upload_to="suggestions/%Y/%m/", blank=True)
    image_alt_text = models.CharField(max_length=300, blank=True)
    draft_caption = models.TextField(max_length=CAPTION_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(max_length=2000, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    post = models.OneToOneField(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url or self.text[:60]


class LibraryVisit(models.Model):
    """When a person last opened the feed, for the "new since your last visit" count."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_visit")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw the library at {self.seen_at:%Y-%m-%d %H:%M}"
