import secrets
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import reverse

from advocacy.counting import counts_as_shared
from advocacy.networks import Network, reported_figures, text_sent
from content_library.selectors import post_captions_by_network, post_network_images, post_preview_image
from guidelines.selectors import acknowledgement_required
from guidelines.services import caption_completed, caption_requirements

from ..drafts import share_draft_take
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
    # Typed before being sent to acknowledge the policy: it comes back here (sharing.drafts).
    draft = share_draft_take(request, post=post) if form is None or not form.is_bound else None
    if form is not None and form.is_bound:
        selected = form.data.get("network") or Network.LINKEDIN.value
        caption = form.data.get("caption", "")
        handle = form.data.get("mastodon_handle", "")
        submission = form.data.get("submission", "")
    elif draft is not None:
        selected = draft["network"] if draft["network"] in Network.values else Network.LINKEDIN.value
        caption, handle, submission = draft["caption"], draft["mastodon_handle"], ""
    else:
        selected, handle, submission = Network.LINKEDIN.value, "", ""
        caption = captions.get(selected, "")
    shares = shares_of_post_for_user(user=user, post=post)
    images = post_network_images(post=post)
    counts = counts_as_shared(caption)
    networks = []
    for network in Network:
        share = shares.get(network.value)
        link = tracked_link(share.code) if share else ""
        networks.append(
            {
                "value": network.value,
                "label": network.label,
                "caption": captions.get(network.value, ""),
                "takes_text": network not in NETWORKS_WITHOUT_TEXT,
                "checked": network.value == selected,
                "share": share,
                "link": link,
                # What the preview card shows: the network's own link text and rendition.
                "preview_link": link or settings.SITE_URL + "/s/…",
                "preview_text": text_sent(
                    network=network.value, caption=caption, link=link or settings.SITE_URL + "/s/…"
                ),
                "image": images.get(network.value),
                "count": counts[network.value],
            }
        )
    image = post_preview_image(post=post)
    destination = post.destination_url or settings.SITE_URL
    return {
        "submission": submission or secrets.token_urlsafe(16),
        # Sharing first leads to the policy: in this tab, not in the network's new one.
        "acknowledge_first": acknowledgement_required(user=user),
        "preview_domain": urlsplit(destination).hostname or "",
        "author_name": user.name,
        "author_initials": _initials(user.name),
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


def _initials(name: str) -> str:
    parts = [part for part in name.replace(".", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def share_figures(share) -> dict[str, int | None]:
    """The share's figures as its network reports them (None where it does not): the API's numbers."""
    return reported_figures(network=share.network, totals=getattr(share, "metrics", None))
