from django import template

from advocacy.networks import Network

from ..counting import caption_lengths

register = template.Library()


@register.simple_tag
def caption_count_rows(caption, check=None):
    """One row per network (label, count, limit, over) for the caption editor; counting needs no database."""
    counts = check.counts if check is not None else {k: v.as_dict() for k, v in caption_lengths(caption or "").items()}
    return [{"value": network.value, "label": network.label, **counts[network.value]} for network in Network]
