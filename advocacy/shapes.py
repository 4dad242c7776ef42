"""The shapes of the short tokens people type for the networks: hashtags and account handles.

A hashtag is ``#`` followed by letters, digits (any script, with their combining marks) and
underscores. A handle follows its network's own grammar. Nothing here lets through markup,
whitespace inside a token, or control characters, which would otherwise reach captions,
share links and exports.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# Joiners that some scripts (Persian, Indic) need inside a word.
_JOINERS = {"\u200c", "\u200d"}
HASHTAG_MAX = 100


def _hashtag_char(char: str) -> bool:
    return char == "_" or char in _JOINERS or unicodedata.category(char)[0] in "LMN"


def hashtag_clean(value: str) -> str:
    """``#tag`` (the ``#`` added if missing), or ValidationError saying what is wrong with it."""
    token = (value or "").strip()
    body = token[1:] if token.startswith("#") else token
    if not body:
        raise ValidationError("A hashtag needs at least one letter or digit after the #.")
    if len(body) > HASHTAG_MAX:
        raise ValidationError(f"A hashtag has at most {HASHTAG_MAX} characters.")
    bad = next((char for char in body if not _hashtag_char(char)), None)
    if bad is not None:
        shown = repr(bad) if bad.isspace() or unicodedata.category(bad)[0] == "C" else f"“{bad}”"
        raise ValidationError(
            f"“{token[:40]}” is not a hashtag: after the # use only letters, digits and _ (found {shown})."
        )
    return "#" + body


def hashtags_clean(value: str) -> str:
    """A space-separated list of hashtags, each checked, joined by single spaces."""
    return " ".join(hashtag_clean(token) for token in (value or "").split())


def disclosure_clean(value: str) -> str:
    """A short disclosure such as ``#employee`` or ``I work at Acme``: words of letters and
    punctuation, hashtags shaped like hashtags, no markup or control characters."""
    words = (value or "").split()
    for word in words:
        if word.startswith("#"):
            hashtag_clean(word)
        elif any(char in "<>" or unicodedata.category(char)[0] == "C" for char in word):
            raise ValidationError(f"“{word[:40]}” cannot be part of a disclosure: no markup or control characters.")
    return " ".join(words)


# --- Handles ------------------------------------------------------------------------------

_X_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})")
_MASTODON_USER = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?")
_LINKEDIN_PATH = re.compile(r"/(?:in|company|school|pub)/[^/\s?#<>\"']{1,100}/?")


def _is_domain(text: str) -> bool:
    labels = text.split(".")
    return (
        len(text) <= 253
        and len(labels) >= 2
        and all(_DNS_LABEL.fullmatch(label) for label in labels)
        and bool(_TLD.fullmatch(labels[-1]))
    )


def x_handle_validate(value: str) -> None:
    if not _X_HANDLE.fullmatch(value.removeprefix("@")):
        raise ValidationError("Enter your X handle: up to 15 letters (A–Z), digits or _, with or without the @.")


def mastodon_handle_validate(value: str) -> None:
    user, _, instance = value.removeprefix("@").partition("@")
    if not (_MASTODON_USER.fullmatch(user) and _is_domain(instance)):
        raise ValidationError("Enter your Mastodon handle as @name@instance.example (letters, digits, _ in the name).")


def bluesky_handle_validate(value: str) -> None:
    if not _is_domain(value.removeprefix("@")):
        raise ValidationError(
            "Enter your Bluesky handle as name.bsky.social or your own domain (letters, digits and - between dots)."
        )


def linkedin_profile_url_validate(value: str) -> None:
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if (
        parts.scheme not in ("https", "http")
        or not (host == "linkedin.com" or host.endswith(".linkedin.com"))
        or not _LINKEDIN_PATH.fullmatch(parts.path)
        or parts.username
        or parts.password
    ):
        raise ValidationError("Enter your LinkedIn profile link, like https://www.linkedin.com/in/your-name.")


def hashtag_validate(value: str) -> None:
    """For model fields holding one hashtag (the admin's forms run these)."""
    hashtag_clean(value)


def hashtags_validate(value: str) -> None:
    """For model fields holding space-separated hashtags."""
    hashtags_clean(value)
