from django import template
from django.urls import reverse

from advocacy.networks import Network, reported_figures
from content_library.selectors import post_captions_by_network, post_preview_image
from guidelines.services import caption_completed, caption_requirements

from ..links import NETWORKS_WITHOUT_TEXT, tracked_link
from ..selectors import shares_of_post_for_user

register = template.Library()


@register.inclusion_tag("sharing/_share_form.html", takes_context=True)
def share_panel(context, post, captions_by_network=None):
    """The share form for a post: network choice, the guidelines' caption editor, copy and download.

    After a refused share (sharing/share_form.html) the bound `share_form` in the context
    brings back what the person chose and typed.
    """
    request = context["request"]
    user = request.user
    hashtags, disclosure, _reason = caption_requirements(post=post)
    captions = {
        network: caption_completed(caption=text, required=[*hashtags, disclosure])
        for network, text in (captions_by_network or post_captions_by_network(post=post)).items()
    }
    form = context.get("share_form")
    if form is not None and form.is_bound:
        selected = form.data.get("network") or Network.LINKEDIN.value
        caption = form.data.get("caption", "")
        handle = form.data.get("mastodon_handle", "")
    else:
        selected, handle = Network.LINKEDIN.value, ""
        caption = captions.get(selected, "")
    shares = shares_of_post_for_user(user=user, post=post)
    networks = [
        {
            "value": network.value,
            "label": network.label,
            "caption": captions.get(network.value, ""),
            "takes_text": network not in NETWORKS_WITHOUT_TEXT,
            "checked": network.value == selected,
            "share": shares.get(network.value),
            "link": tracked_link(shares[network.value].code) if network.value in shares else "",
        }
        for network in Network
    ]
    image = post_preview_image(post=post)
    return {
        "post": post,
        "networks": networks,
        "initial_caption": caption,
        "mastodon_handle": handle,
        "needs_mastodon_handle": not user.mastodon_instance,
        "problems": context.get("share_problems") or [],
        "check": context.get("caption_check"),
        "form_errors": form.errors if form is not None and form.is_bound else {},
        "image": image,
        "csrf_token": context.get("csrf_token"),
        "request": request,
        "user": user,
        "activity_url": reverse("sharing:my_activity"),
    }


@register.filter
def share_figures(share) -> dict[str, int | None]:
    """The share's figures as its network reports them (None where it does not): the API's numbers."""
    return reported_figures(network=share.network, totals=getattr(share, "metrics", None))
