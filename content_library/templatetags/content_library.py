from django import template

from advocacy.networks import Network

from ..selectors import image_downloads, image_rendition

register = template.Library()


@register.filter
def rendition(image, size="thumb"):
    """{{ image|rendition:"1200x627" }} -> {"url", "width", "height", "alt", "pending"}; the original while pending."""
    return image_rendition(image=image, size=size)


@register.filter
def downloads(image):
    """{{ image|downloads }}: one download per distinct size, labelled by use (selectors.image_downloads)."""
    return image_downloads(image=image)


@register.filter
def network_label(value):
    try:
        return Network(value).label
    except ValueError:
        return value
