"""Signed one-click unsubscribe links: who, and from which list, signed with SECRET_KEY (no login needed)."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class MailingList:
    name: str
    label: str
    field: str
    off_value: object


# What "unsubscribe" switches off for each kind of email a person can opt out of (their profile has the same switches).
MAILING_LISTS = {
    "digest": MailingList("digest", "the weekly digest", "digest_frequency", "never"),
    "policy": MailingList(
        "policy", "emails about new versions of the social media policy", "notify_policy_updates", False
    ),
    "suggestions": MailingList(
        "suggestions", "emails about your content suggestions", "notify_suggestion_updates", False
    ),
}


class InvalidUnsubscribeToken(ValueError):
    pass


def unsubscribe_token_make(*, user_id: int, list_name: str) -> str:
    if list_name not in MAILING_LISTS:
        raise ValueError(f"Unknown mailing list {list_name!r}.")
    return signing.dumps({"u": user_id, "l": list_name}, salt=SALT)


def unsubscribe_token_read(*, token: str) -> tuple[int, MailingList]:
    """(user id, mailing list) from a token; InvalidUnsubscribeToken when it was altered, cut short or made up."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise InvalidUnsubscribeToken(
            "This unsubscribe link is not valid: it may have been cut short or altered."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or data.get("l") not in MAILING_LISTS:
        raise InvalidUnsubscribeToken("This unsubscribe link is not valid.")
    return data["u"], MAILING_LISTS[data["l"]]


def unsubscribe_url(*, user_id: int, list_name: str) -> str:
    token = unsubscribe_token_make(user_id=user_id, list_name=list_name)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})
