"""Posting to LinkedIn as the member: exact Posts and Images API requests, and what each refusal means."""

import pytest

from connections.publishers import Draft, DraftImage, LinkCard, PublishFailed, publisher_for
from connections.publishers.linkedin import little_text_escape
from connections.services import connected_account_store
from sharing.published_posts import published_post_parse
from tests.fakes.linkedin import MEMBER_ID, FakeLinkedIn
from tests.fakes.server import Reply, serving

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LINK = "https://advocacy.example/s/Ab3dE5gH7"


@pytest.fixture
def linkedin(settings):
    with serving() as api:
        settings.METRICS_LINKEDIN_API_URL = api.url
        settings.METRICS_LINKEDIN_VERSION = "202610"
        yield FakeLinkedIn(api)


@pytest.fixture
def account(linkedin, alice):
    return connected_account_store(
        person=alice,
        network="linkedin",
        handle="Alice Archer",
        remote_account_id=MEMBER_ID,
        access_token=linkedin.issue_token(),
        scopes=["openid", "profile", "w_member_social"],
    )


def _draft(*, image=None, thumbnail=None, text=f"Our launch is live {LINK}"):
    card = LinkCard(url=LINK, title="Launch day", description="What we shipped and why.", thumbnail=thumbnail)
    return Draft(text=text, link=card, image=image)


def _image(alt="A rocket on the pad"):
    return DraftImage(content=PNG, mime_type="image/png", alt_text=alt, width=1200, height=627)


def _rest_headers_ok(request, token):
    assert request.headers["authorization"] == f"Bearer {token}"
    assert request.headers["linkedin-version"] == "202610"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"


def test_without_an_image_it_posts_an_article_for_the_tracked_link(linkedin, account):
    published = publisher_for("linkedin")(account, _draft())
    urn = next(iter(linkedin.posts))
    assert published.post_id == urn and urn.startswith("urn:li:share:")
    assert published.url == f"https://www.linkedin.com/feed/update/{urn}/"
    assert published_post_parse(network="linkedin", url=published.url).post_id == urn

    request = linkedin.api.requests_to("/rest/posts")[0]
    _rest_headers_ok(request, account.access_token)
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "author": f"urn:li:person:{MEMBER_ID}",
        "commentary": f"Our launch is live {LINK}",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": {"article": {"source": LINK, "title": "Launch day", "description": "What we shipped and why."}},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert linkedin.api.requests_to("/rest/images") == []


def test_an_image_is_uploaded_through_the_images_api_and_posted_with_its_alt_text(linkedin, account):
    publisher_for("linkedin")(account, _draft(image=_image()))
    initialize = linkedin.api.requests_to("/rest/images")[0]
    _rest_headers_ok(initialize, account.access_token)
    assert initialize.raw_query == "action=initializeUpload"
    assert initialize.json == {"initializeUploadRequest": {"owner": f"urn:li:person:{MEMBER_ID}"}}
    upload = next(r for r in linkedin.api.requests if r.path.startswith("/dms-uploads/"))
    assert upload.method == "PUT" and upload.body == PNG
    assert upload.headers["content-type"] == "image/png"
    (image_urn,) = linkedin.images
    assert linkedin.images[image_urn] == PNG
    body = linkedin.api.requests_to("/rest/posts")[0].json
    assert body["content"] == {"media": {"id": image_urn, "altText": "A rocket on the pad"}}


def test_the_cards_thumbnail_is_uploaded_for_the_article(linkedin, account):
    publisher_for("linkedin")(account, _draft(thumbnail=_image(alt="")))
    (image_urn,) = linkedin.images
    article = linkedin.api.requests_to("/rest/posts")[0].json["content"]["article"]
    assert article == {
        "source": LINK,
        "title": "Launch day",
        "description": "What we shipped and why.",
        "thumbnail": image_urn,
    }


def test_the_commentary_escapes_little_texts_reserved_characters():
    text = r"Q&A (live) @noon [today] {v2} <b> *bold* _it_ ~x~ a|b \ #launch # alone https://example.com/a_(b)"
    assert little_text_escape(text) == (
        r"Q&A \(live\) \@noon \[today\] \{v2\} \<b\> \*bold\* \_it\_ \~x\~ a\|b \\ #launch \# alone "
        "https://example.com/a_(b)"
    )


def test_reserved_characters_reach_linkedin_escaped(linkedin, account):
    publisher_for("linkedin")(account, _draft(text=f"Shipped (finally) #launch {LINK}"))
    assert linkedin.api.requests_to("/rest/posts")[0].json["commentary"] == rf"Shipped \(finally\) #launch {LINK}"


@pytest.mark.parametrize(
    ("reply", "reason", "retryable", "reconnect"),
    [
        (
            Reply(status=401, body={"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"}),
            "connect LinkedIn again",
            False,
            True,
        ),
        (
            Reply(status=403, body={"status": 403, "serviceErrorCode": 100, "message": "Not enough permissions"}),
            "lacks a permission for it (Not enough permissions)",
            False,
            False,
        ),
        (
            Reply(status=422, body={"status": 422, "message": "ERROR :: /commentary :: length exceeds 3000"}),
            "refused the post while publishing the post: ERROR :: /commentary :: length exceeds 3000",
            False,
            False,
        ),
        (
            Reply(status=400, body={"status": 400, "message": "Invalid author urn"}),
            "Invalid author urn",
            False,
            False,
        ),
        (Reply(status=429, body={"status": 429, "message": "Too many requests"}), "limit was reached", True, False),
        (Reply(status=503, body="upstream down"), "HTTP 503", True, False),
    ],
)
def test_each_refusal_says_what_it_means(linkedin, account, reply, reason, retryable, reconnect):
    linkedin.post_replies.append(reply)
    with pytest.raises(PublishFailed) as raised:
        publisher_for("linkedin")(account, _draft())
    assert reason in raised.value.reason
    assert (raised.value.retryable, raised.value.reconnect) == (retryable, reconnect)
    assert account.access_token not in raised.value.reason
    assert linkedin.posts == {}


def test_a_rate_limit_passes_on_how_long_to_wait(linkedin, account):
    linkedin.post_replies.append(Reply(status=429, body={"status": 429}, headers={"Retry-After": "120"}))
    with pytest.raises(PublishFailed) as raised:
        publisher_for("linkedin")(account, _draft())
    assert raised.value.retry_after == 120


def test_a_post_without_an_id_is_not_retried(linkedin, account):
    # A 201 whose id went missing may still have published: retrying could post twice.
    linkedin.post_replies.append(Reply(status=201, body=""))
    with pytest.raises(PublishFailed, match="check your LinkedIn feed") as raised:
        publisher_for("linkedin")(account, _draft())
    assert not raised.value.retryable


def test_a_missing_image_permission_fails_before_anything_is_posted(linkedin, account):
    linkedin.tokens[account.access_token] = ("openid", "profile")
    with pytest.raises(PublishFailed, match="refused preparing the image upload") as raised:
        publisher_for("linkedin")(account, _draft(image=_image()))
    assert not raised.value.retryable
    assert linkedin.api.requests_to("/rest/posts") == []


def test_the_token_is_never_sent_to_an_upload_address_outside_linkedin(linkedin, account):
    linkedin.api.route(
        "/rest/images",
        Reply(body={"value": {"uploadUrl": "https://uploads.evil.example/put", "image": "urn:li:image:C4E1"}}),
    )
    with pytest.raises(PublishFailed, match="outside LinkedIn"):
        publisher_for("linkedin")(account, _draft(image=_image()))
    assert linkedin.api.requests_to("/rest/posts") == []


def test_no_answer_is_retryable(settings, account):
    settings.METRICS_LINKEDIN_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(PublishFailed, match="did not answer") as raised:
        publisher_for("linkedin")(account, _draft())
    assert raised.value.retryable
