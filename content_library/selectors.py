"""Reads for the content library."""

import re

from .models import Post

_HASHTAG = re.compile(r"#?([^\s#]+)")


def hashtags_parse(raw: str) -> list[str]:
    """'#Launch  growth #launch' -> ['#Launch', '#growth'] (first spelling kept, no duplicates)."""
    seen: dict[str, str] = {}
    for match in _HASHTAG.finditer(raw or ""):
        tag = "#" + match.group(1)
        seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def post_required_hashtags(*, post: Post) -> list[str]:
    """The hashtags every share of this post must carry: the post's own, then its campaign's."""
    campaign_tags = post.campaign.hashtag if post.campaign_id else ""
    return hashtags_parse(f"{post.hashtags} {campaign_tags}")


def post_caption_for(*, post: Post, network: str) -> str:
    """The suggested caption for a network: its override if there is one, else the general suggestion."""
    for caption in post.captions.all():
        if caption.network == network:
            return caption.text
    return post.suggested_caption
