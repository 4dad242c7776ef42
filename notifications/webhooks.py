"""Chat webhooks told when a post is featured: Slack incoming webhooks and Microsoft Teams Workflows.

Payloads follow each product's documentation:

- Slack incoming webhook: POST JSON ``{"text": ..., "blocks": [...]}``; ``text`` is the
  fallback shown in notifications, ``blocks`` the Block Kit layout (mrkdwn escapes &, <, >).
- Microsoft Teams: the Office 365 connector "Incoming Webhook" and its MessageCard format are
  retired; the current way is a Workflows webhook ("When a Teams webhook request is received"),
  which takes a message with Adaptive Card attachments only:
  ``{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
  "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.4", ...}}]}``.
  It answers 202 Accepted; Slack answers 200 "ok". Any 2xx is success.

The HTTP client is the standard library's, always with a timeout and never following redirects
(a webhook that redirects is misconfigured, and the redirect target would get the message).
"""

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.text import Truncator

CHANNELS = ("slack", "teams")
MAX_ANSWER_BYTES = 64 * 1024


class WebhookFailed(Exception):
    """The webhook did not accept the message (an error status, a timeout, no connection): worth retrying."""


def webhook_url(channel: str) -> str:
    if channel == "slack":
        return settings.NOTIFY_SLACK_WEBHOOK_URL
    if channel == "teams":
        return settings.NOTIFY_TEAMS_WEBHOOK_URL
    raise ValueError(f"Unknown webhook channel {channel!r}.")


def configured_channels() -> list[str]:
    return [channel for channel in CHANNELS if webhook_url(channel)]


@dataclass(frozen=True)
class FeaturedPost:
    title: str
    excerpt: str
    url: str
    campaign: str
    goes_live_at: str  # "" when it is live already


def featured_post_summary(*, post, url: str) -> FeaturedPost:
    now = timezone.now()
    goes_live = ""
    if post.publish_at and post.publish_at > now:
        goes_live = timezone.localtime(post.publish_at).strftime("%A %-d %B %Y, %H:%M")
    return FeaturedPost(
        title=post.title,
        excerpt=Truncator(" ".join((post.body or post.suggested_caption or "").split())).chars(280),
        url=url,
        campaign=post.campaign.name if post.campaign_id else "",
        goes_live_at=goes_live,
    )


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(featured: FeaturedPost) -> dict:
    title = _slack_escape(featured.title)
    when = f"Goes live {featured.goes_live_at}." if featured.goes_live_at else "In the library now."
    context = [when] + ([f"Campaign: {_slack_escape(featured.campaign)}"] if featured.campaign else [])
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":star: *Featured post:* <{featured.url}|{title}>"}},
    ]
    if featured.excerpt:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(featured.excerpt)}})
    blocks += [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open and share"},
                    "url": featured.url,
                    "action_id": "open_featured_post",
                }
            ],
        },
    ]
    return {"text": f"Featured post: {featured.title} {featured.url}", "blocks": blocks}


def teams_payload(featured: FeaturedPost) -> dict:
    when = f"Goes live {featured.goes_live_at}." if featured.goes_live_at else "In the library now."
    facts = [{"title": "When", "value": when}]
    if featured.campaign:
        facts.append({"title": "Campaign", "value": featured.campaign})
    body = [
        {"type": "TextBlock", "text": "Featured post", "weight": "Bolder", "size": "Small", "isSubtle": True},
        {"type": "TextBlock", "text": featured.title, "weight": "Bolder", "size": "Large", "wrap": True},
    ]
    if featured.excerpt:
        body.append({"type": "TextBlock", "text": featured.excerpt, "wrap": True})
    body.append({"type": "FactSet", "facts": facts})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open and share", "url": featured.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


PAYLOADS = {"slack": slack_payload, "teams": teams_payload}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def webhook_post(*, url: str, payload: dict, timeout: float) -> int:
    """POST the JSON payload; returns the 2xx status, raises WebhookFailed for anything else."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("Webhook URLs are http(s) only.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "advocacy-notifications"},
    )
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as answer:
            answer.read(MAX_ANSWER_BYTES)
            status = answer.status
    except urllib.error.HTTPError as answer:
        detail = answer.read(300).decode("utf-8", "replace").strip()
        raise WebhookFailed(f"HTTP {answer.code}{': ' + detail if detail else ''}") from None
    except TimeoutError:
        raise WebhookFailed(f"timed out after {timeout:g}s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise WebhookFailed(f"timed out after {timeout:g}s") from None
        raise WebhookFailed(f"no connection: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookFailed(f"no usable answer: {exc!r}") from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"HTTP {status}")
    return status
