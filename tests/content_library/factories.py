"""Posts, campaigns and images for the content library tests."""

import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from content_library.caption_fit import post_caption_fit_refresh
from content_library.models import Campaign, Post, PostImage, Suggestion, Topic
from tests.factories import UserFactory


def image_bytes(fmt="JPEG", size=(1600, 900), color=(30, 90, 200), **save_options) -> bytes:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(250, 200, 0))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_options)
    return buffer.getvalue()


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: topic.name.lower().replace(" ", "-"))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.LazyAttribute(lambda campaign: campaign.name.lower().replace(" ", "-"))
    hashtag = "#Launch"


class PostFactory(factory.django.DjangoModelFactory):
    """A live post for everyone unless told otherwise."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    body = "We shipped something people asked for."
    suggested_caption = "Proud of the team for this one."
    status = Post.Status.APPROVED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    expires_at = None
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def caption_fit(self, create, extracted, **kwargs):
        # What the services keep: which networks the caption fits (the library's network filter reads it).
        if create:
            post_caption_fit_refresh(post=self)

    @factory.post_generation
    def target_teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_everyone = False
            self.save(update_fields=["target_everyone"])
            self.target_teams.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class PostImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostImage

    post = factory.SubFactory(PostFactory)
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="picture.jpg"))
    alt_text = "A yellow circle on blue"


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    author = factory.SubFactory(UserFactory)
    url = "https://example.com/news"
    text = "Great article about our industry"
