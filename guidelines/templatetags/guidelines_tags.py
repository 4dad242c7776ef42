from django import template

from advocacy.counting import counts_as_shared
from advocacy.networks import CAPTION_MAX_LENGTH, Network

register = template.Library()


@register.simple_tag
def caption_count_rows(caption, check=None):
    """One row per network (label, count, limit, over) for the caption editor; counting needs no database."""
    counts = check.counts if check is not None else counts_as_shared(caption or "")
    return [{"value": network.value, "label": network.label, **counts[network.value]} for network in Network]


@register.simple_tag
def caption_max_length():
    """The caption field's bound: the longest caption any network takes (the share form's too)."""
    return CAPTION_MAX_LENGTH
