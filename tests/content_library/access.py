from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from content_library.models import Post
from tests.access import COMMS_API, COMMS_PAGE, EMPLOYEE_API, EMPLOYEE_PAGE, PUBLIC, Route, expect

from .factories import CampaignFactory, PostFactory, PostImageFactory, SuggestionFactory


def _live_post(cast):
    return {"slug": PostFactory(title="Live for all", slug="live-for-all").slug}


def _sales_post(cast):
    # Aimed at bob's team only: alice (Engineering), casey (Marketing) and harper must not reach it.
    return {"slug": PostFactory(slug="sales-only", target_teams=[cast["other_employee"].team]).slug}


def _draft(cast):
    return {"pk": PostFactory(status=Post.Status.DRAFT, publish_at=None).pk}


def _image(cast):
    return {"pk": PostImageFactory().pk}


def _video(cast):
    from content_library.services import post_video_set
    from tests.advocacy.videos import make_video

    upload = SimpleUploadedFile("clip.mp4", make_video(), content_type="video/mp4")
    return {"pk": post_video_set(post=PostFactory(), upload=upload, description="Waves", actor=cast["comms"]).pk}


def _campaign(cast):
    return {"pk": CampaignFactory().pk}


def _suggestion(cast):
    return {"pk": SuggestionFactory(author=cast["employee"]).pk}


COMMS_REDIRECT = expect(employee=403, comms=302)
TARGETED_PAGE = expect(employee=404, other_employee=200, comms=404, hr=404)
TARGETED_API = expect(anonymous=403, employee=404, other_employee=200, comms=404, hr=404)

ROUTES = [
    Route("content_library:feed", EMPLOYEE_PAGE),
    Route("content_library:feed", EMPLOYEE_PAGE, query="?topic=nope&network=x&q=launch&page=99"),
    Route("content_library:post_detail", EMPLOYEE_PAGE, kwargs=_live_post),
    Route("content_library:post_detail", TARGETED_PAGE, kwargs=_sales_post),
    Route("content_library:suggestion_list", EMPLOYEE_PAGE),
    Route("content_library:suggestion_new", EMPLOYEE_PAGE),
    Route(
        "content_library:suggestion_new",
        expect(employee=400),
        method="post",
        data=lambda cast: {"url": "javascript:alert(1)"},
    ),
    Route("content_library:comms_post_list", COMMS_PAGE),
    Route("content_library:comms_post_new", COMMS_PAGE),
    Route("content_library:comms_post_detail", COMMS_PAGE, kwargs=_draft),
    Route("content_library:comms_post_edit", COMMS_PAGE, kwargs=_draft),
    Route(
        "content_library:comms_post_transition",
        COMMS_REDIRECT,
        method="post",
        kwargs=_draft,
        data=lambda cast: {"to_status": "submitted"},
    ),
    Route(
        "content_library:comms_post_schedule",
        COMMS_REDIRECT,
        method="post",
        kwargs=_draft,
        data=lambda cast: {"publish_at": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    ),
    Route(
        "content_library:comms_post_image_add",
        expect(employee=403, comms=400),
        method="post",
        kwargs=_draft,
        data=lambda cast: {"alt_text": "no file"},
    ),
    Route("content_library:comms_post_image_remove", COMMS_REDIRECT, method="post", kwargs=_image, data=dict),
    Route(
        "content_library:comms_post_archive",
        COMMS_REDIRECT,
        method="post",
        data=lambda cast: {"post": [PostFactory().pk]},
    ),
    Route("content_library:comms_review", COMMS_PAGE),
    Route(
        "content_library:comms_suggestion_review",
        COMMS_REDIRECT,
        method="post",
        kwargs=_suggestion,
        data=lambda cast: {"decision": "reject", "note": "Off topic"},
    ),
    Route("content_library:comms_calendar", COMMS_PAGE),
    Route("content_library:comms_calendar", COMMS_PAGE, query="?start=not-a-date"),
    Route("content_library:comms_campaigns", COMMS_PAGE),
    Route("content_library:comms_campaign_edit", COMMS_PAGE, kwargs=_campaign),
    Route("content_library:api_feed", EMPLOYEE_API),
    Route("content_library:api_feed_post", EMPLOYEE_API, kwargs=_live_post),
    Route("content_library:api_feed_post", TARGETED_API, kwargs=_sales_post),
    Route("content_library:api_suggestions", EMPLOYEE_API),
    Route(
        "content_library:api_suggestions",
        expect(anonymous=403, employee=201),
        method="post",
        data=lambda cast: {"url": "https://example.com/story", "text": "Worth sharing"},
        content_type="application/json",
    ),
    Route("content_library:api_comms_posts", COMMS_API),
    Route(
        "content_library:api_comms_posts",
        expect(anonymous=403, employee=403, comms=201),
        method="post",
        data=lambda cast: {"title": "From the API", "suggested_caption": "Hello"},
        content_type="application/json",
    ),
    Route("content_library:api_comms_post", COMMS_API, kwargs=_draft),
    Route(
        "content_library:api_comms_post_transition",
        COMMS_API,
        method="post",
        kwargs=_draft,
        data=lambda cast: {"to_status": "submitted"},
        content_type="application/json",
    ),
    Route(
        "content_library:api_comms_post_archive",
        COMMS_API,
        method="post",
        data=lambda cast: {"ids": [PostFactory().pk]},
        content_type="application/json",
    ),
    Route("content_library:api_comms_campaigns", COMMS_API),
    Route("content_library:api_comms_campaign", COMMS_API, kwargs=_campaign),
    # Public like /media/ images: the tracked link's public landing page plays it.
    Route("content_library:video_file", PUBLIC, kwargs=_video),
    Route(
        "content_library:comms_post_video_set",
        expect(employee=403, comms=400),
        method="post",
        kwargs=_draft,
        data=lambda cast: {"video_description": "no file"},
    ),
]
