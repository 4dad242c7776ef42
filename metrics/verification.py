"""Is a pasted post the employee's own, and does it carry the share's link? Decided at its first pull.

The provider reports who wrote the post and where its links show (``PostFacts``);
the employee's profile handle is turned into the same kind of identifier by the
provider (``profile_identity``: Mastodon ``user@instance``, the DID a Bluesky handle
resolves to, the X user id of an X handle). This module compares the two and looks
for the tracked link; the answer is stored on the share by sharing's service.
"""

from __future__ import annotations

from dataclasses import dataclass

from advocacy.networks import Network
from sharing.models import Verification
from sharing.published_posts import mentions_share_link

from .providers import MetricResult, PostFacts

PROFILE_HANDLE_FIELD = {Network.MASTODON: "mastodon_handle", Network.BLUESKY: "bluesky_handle", Network.X: "x_handle"}


@dataclass(frozen=True)
class Decision:
    state: str
    detail: str = ""


def profile_handle(*, user, network: str) -> str:
    field = PROFILE_HANDLE_FIELD.get(network)
    return getattr(user, field, "").strip() if field else ""


def verification_decide(
    *, network: str, code: str, handle: str, facts: PostFacts | None, identity: frozenset[str] | MetricResult | None
) -> Decision:
    """What the first pull shows about a post: verified, not yours, link missing, or still verifying (and why)."""
    label = Network(network).label
    if not handle:
        return Decision(
            Verification.VERIFYING,
            f"Add your {label} handle to your profile so we can check this post is yours; we check again "
            "at the next pull.",
        )
    if isinstance(identity, MetricResult):
        return Decision(
            Verification.VERIFYING, f"Could not check yet ({identity.detail}); we try again at the next pull."
        )
    if facts is None or identity is None:
        return Decision(Verification.VERIFYING, "The network's answer did not say who wrote the post; we try again.")
    if facts.reshare_of:
        return Decision(Verification.NOT_YOURS, f"This is a boost of a post by {facts.reshare_of}, not your own post.")
    if not facts.author & identity:
        author = ", ".join(sorted(facts.author)) or "an unknown account"
        return Decision(Verification.NOT_YOURS, f"The post is by {author[:120]}, not by {handle} (your profile).")
    if not mentions_share_link(code=code, texts=facts.texts):
        return Decision(Verification.LINK_MISSING, "The post does not contain your tracked link for this share.")
    return Decision(Verification.VERIFIED, f"Published by {handle} with your tracked link.")
