"""Which networks a post's caption fits, counted the one way (advocacy.counting), stored on the post.

The library's network filter ("posts I can share on X") must agree with the count the caption
editor shows, which SQL cannot compute (X weighs emoji and CJK double, Mastodon counts links as
23, the tracked link is part of the text). So the services store a bit per network whenever a
post's captions change, and the filter reads the bit.
"""

from django.db.models import F

from advocacy.counting import caption_length
from advocacy.networks import Network, tracked_link_placeholder

NETWORK_BITS: dict[str, int] = {network.value: 1 << index for index, network in enumerate(Network)}


def caption_fit_mask(*, suggested_caption: str, overrides: dict[str, str]) -> int:
    """A bit for each network on which the caption it would get (override, else the suggestion) fits as shared."""
    link = tracked_link_placeholder()
    mask = 0
    for network, bit in NETWORK_BITS.items():
        text = overrides.get(network) or suggested_caption
        if not caption_length(text, network, link=link).over:
            mask |= bit
    return mask


def post_caption_fit_refresh(*, post) -> int:
    """Recompute and store the post's mask from its saved captions (the services call it after every caption write)."""
    overrides = dict(post.captions.values_list("network", "text"))
    mask = caption_fit_mask(suggested_caption=post.suggested_caption, overrides=overrides)
    type(post).objects.filter(pk=post.pk).update(caption_fit_mask=mask)
    post.caption_fit_mask = mask
    return mask


def annotate_fits(posts, network: str):
    """Posts whose caption fits this network (a queryset filter on the stored bit)."""
    bit = NETWORK_BITS[Network(network).value]
    return posts.annotate(_fits_bit=F("caption_fit_mask").bitand(bit)).filter(_fits_bit=bit)


__all__ = ["NETWORK_BITS", "annotate_fits", "caption_fit_mask", "post_caption_fit_refresh"]
