"""What someone typed into the share panel, kept in their session across the policy acknowledgement.

Sharing before acknowledging the current policy sends the person to read it first; the
caption they had written comes back in the panel afterwards instead of being lost.
"""

_SESSION_KEY = "sharing.draft"


def share_draft_keep(request, *, post, network: str, caption: str, mastodon_handle: str = "") -> None:
    request.session[_SESSION_KEY] = {
        "post": post.pk,
        "network": network,
        "caption": caption,
        "mastodon_handle": mastodon_handle,
    }


def share_draft_take(request, *, post) -> dict | None:
    """The draft kept for ``post`` (and forget it), or None. A draft for another post stays."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    draft = session.get(_SESSION_KEY)
    if not isinstance(draft, dict) or draft.get("post") != post.pk:
        return None
    del session[_SESSION_KEY]
    return draft
