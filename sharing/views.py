import logging
import os
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.networks import CAPTION_MAX_LENGTH, Network
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA
from advocacy.people.services import profile_update
from content_library.selectors import post_captions_by_network, post_get_for_employee, post_preview_image
from guidelines.selectors import acknowledgement_required

from . import clickstream
from .drafts import share_draft_keep
from .forms import PublishedUrlForm, ShareForm
from .links import NETWORKS_WITHOUT_TEXT, intent_url, is_http_url, is_valid_code, tracked_link
from .published_posts import EXAMPLES as PUBLISHED_URL_EXAMPLES
from .published_posts import VERIFICATION_HELP
from .selectors import (
    address_recent_clicks,
    share_get_for_landing,
    share_get_for_user,
    share_link_entry,
    share_list_for_user,
    share_totals_for_user,
    shared_links_open,
    visitor_recent_clicks,
)
from .services import AcknowledgementRequired, ShareRefused, click_record, share_create, share_record_published_url
from .visitors import is_bot, request_hashes, set_sharer_cookie, sharer_ids_from_cookie, visitor_hashes

ACTIVITY_PER_PAGE = 25
logger = logging.getLogger(__name__)


class HttpResponseSeeOther(HttpResponseRedirectBase):
    status_code = 303


# The hand-off page forwards to the network only this long after the share, so coming
# back to it later (the back button) shows the page instead of bouncing off again.
_HANDOFF_SALT = "sharing.handoff"
HANDOFF_SECONDS = 30
# What an unreachable database raises (not a bug in a query: those still raise).
_DATABASE_DOWN = (OperationalError, InterfaceError)
# A link neither Redis nor the database can resolve (both down, or never cached): ask again soon.
RETRY_AFTER_SECONDS = 30


def _acknowledge_redirect(request, post):
    """To the policy, keeping what the person chose and typed for when they come back."""
    share_draft_keep(
        request,
        post=post,
        network=str(request.POST.get("network", ""))[:20],
        caption=str(request.POST.get("caption", ""))[:CAPTION_MAX_LENGTH],
        mastodon_handle=str(request.POST.get("mastodon_handle", ""))[:120],
    )
    post_url = reverse("content_library:post_detail", kwargs={"slug": post.slug})
    return redirect(reverse("guidelines:acknowledge") + "?" + urlencode({"next": post_url}))


@require_POST
@permission_required(EMPLOYEE_AREA)
def share(request, slug):
    post = post_get_for_employee(user=request.user, slug=slug)
    form = ShareForm(request.POST)
    if acknowledgement_required(user=request.user):
        return _acknowledge_redirect(request, post)
    problems: list[str] = []
    check = None
    if form.is_valid():
        network, caption = form.cleaned_data["network"], form.cleaned_data["caption"]
        handle = form.cleaned_data["mastodon_handle"]
        if network == Network.MASTODON and handle and not request.user.mastodon_instance:
            try:
                profile_update(user=request.user, mastodon_handle=handle)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if not problems:
            try:
                share, _ = share_create(
                    user=request.user,
                    post=post,
                    network=network,
                    caption=caption,
                    visitor_hash=visitor_hashes(request)[0],
                    submission=form.cleaned_data["submission"],
                )
            except AcknowledgementRequired:
                return _acknowledge_redirect(request, post)
            except ShareRefused as refusal:
                if refusal.check is not None:
                    # The caption editor lists the caption's problems itself.
                    check = refusal.check
                    problems.append("Your caption needs a change first; see the checks under it.")
                else:
                    problems.extend(refusal.problems)
            else:
                # Not a redirect straight to the network: the page's CSP (form-action 'self')
                # forbids a form submission from ending up on another origin, so a page of
                # ours hands over to the network.
                token = signing.TimestampSigner(salt=_HANDOFF_SALT).sign(str(share.pk))
                target = reverse("sharing:share_open", kwargs={"share_id": share.pk}) + "?" + urlencode({"go": token})
                response = HttpResponseSeeOther(target)
                set_sharer_cookie(request, response, user_id=request.user.pk)
                return response
    context = {
        "post": post,
        "captions_by_network": post_captions_by_network(post=post),
        "share_form": form,
        "share_problems": problems,
        "caption_check": check,
    }
    return render(request, "sharing/share_form.html", context, status=400)


@permission_required(EMPLOYEE_AREA)
def share_open(request, share_id):
    """After sharing: forward to the network's composer, and offer copy, download and the published-URL form."""
    share = share_get_for_user(user=request.user, share_id=share_id)
    intent = intent_url(
        network=share.network,
        link=tracked_link(share.code),
        caption=share.caption,
        title=share.post.title,
        mastodon_instance=request.user.mastodon_instance,
    )
    forward = False
    try:
        signed = signing.TimestampSigner(salt=_HANDOFF_SALT).unsign(request.GET.get("go", ""), max_age=HANDOFF_SECONDS)
        forward = signed == str(share.pk)
    except signing.BadSignature:
        pass
    context = {
        "share": share,
        "post": share.post,
        "intent_url": intent,
        "forward": forward,
        "tracked_link": tracked_link(share.code),
        "image": post_preview_image(post=share.post),
        "takes_text": share.network not in NETWORKS_WITHOUT_TEXT,
        "published_form": PublishedUrlForm(initial={"url": share.published_url}),
        "can_link_back": share.network in PUBLISHED_URL_EXAMPLES,
        "example": PUBLISHED_URL_EXAMPLES.get(share.network, ""),
    }
    response = render(request, "sharing/share_open.html", context)
    set_sharer_cookie(request, response, user_id=request.user.pk)
    return response


def _unavailable(request, *, status: int):
    return render(request, "sharing/link_unavailable.html", status=status)


@require_http_methods(["GET", "HEAD"])
def tracked_redirect(request, code):
    """/s/<code>: a 302 to the stored destination, counting honest human clicks on the way.

    The Location comes only from the stored entry; nothing in the request is read into it.
    Usually answered by fast_path.TrackedLinkMiddleware before the full middleware stack;
    a link that leads to a page gets here with its click already captured.
    """
    if not is_valid_code(code):
        raise Http404("No such link.")
    outcome, now = getattr(request, "tracked_outcome", None) or tracked_capture(request, code)
    if outcome is None:
        return _cannot_resolve()
    return _redirect_response(request, outcome, now=now)


def tracked_capture(request, code: str) -> tuple[clickstream.Capture | None, float]:
    """Capture one click on ``code`` (Redis first, else the database); returns the outcome and the time.

    The outcome is None when neither Redis nor the database can say where the link goes.
    """
    now = time.time()
    visitor_today, visitor_yesterday, address = request_hashes(request)
    click = {
        "visitor_today": visitor_today,
        "visitor_yesterday": visitor_yesterday,
        "address": address,
        "is_bot": is_bot(request),
        "sharer_ids": sharer_ids_from_cookie(request),
        "event_id": os.urandom(16).hex(),
    }
    conn = clickstream.client()
    if conn is not None:
        try:
            outcome = clickstream.capture(conn, code=code, now=now, **click)
            if outcome is None:
                outcome = _capture_refreshed(conn, code=code, now=now, click=click)
            return outcome, now
        except redis.RedisError:
            logger.warning("Redis is unreachable; clicks go straight to the database.")
            clickstream.mark_down()
    try:
        return _capture_in_database(code=code, now=now, click=click), now
    except _DATABASE_DOWN:
        logger.warning("Neither Redis nor the database can resolve tracked link; answered 503.")
        return None, now


def tracked_response_without_page(tracked: tuple[clickstream.Capture | None, float]) -> HttpResponse | None:
    """The answer to a captured click when it is not a page (a redirect, 429 or 503); None when it is."""
    outcome, now = tracked
    if outcome is None:
        return _cannot_resolve()
    if outcome.status == "limited":
        return _too_many(outcome)
    entry = outcome.entry
    if entry["state"] == "ok" and not (entry["x"] and now >= entry["x"]) and is_http_url(entry["d"]):
        return _redirect_to(entry)
    return None


def _capture_refreshed(conn, *, code: str, now: float, click: dict) -> clickstream.Capture | None:
    """The link read from the database into the cache; if the database is down, the cached entry however old.

    None when neither can say where the link goes.
    """
    try:
        entry = share_link_entry(code=code)
    except _DATABASE_DOWN:
        logger.warning("The database is unreachable; tracked links answer from the cache.")
        return clickstream.capture(conn, code=code, now=now, stale_ok=True, **click)
    return clickstream.capture(conn, code=code, now=now, entry=entry, **click)


def _cannot_resolve():
    # Plain text on purpose: a template could reach for the session, and so for the database.
    response = HttpResponse(
        "This link cannot be opened right now. Please try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _capture_in_database(*, code: str, now: float, click: dict) -> clickstream.Capture:
    entry = share_link_entry(code=code)
    moment = datetime.fromtimestamp(now, tz=UTC)
    if (
        visitor_recent_clicks(visitor_hash=click["visitor_today"], now=moment) >= settings.SHARE_REDIRECT_RATE_LIMIT
        or address_recent_clicks(address_hash=click["address"], now=moment)
        >= settings.SHARE_REDIRECT_ADDRESS_RATE_LIMIT
    ):
        return clickstream.Capture(status="limited", entry=entry, retry_after=60 - int(now) % 60)
    if entry["state"] != "ok" or (entry["x"] and now >= entry["x"]):
        return clickstream.Capture(status="done", entry=entry)
    kind = click_record(entry=entry, now=moment, **click)
    return clickstream.Capture(status="ok", entry=entry, kind=kind)


def _redirect_response(request, outcome: clickstream.Capture, *, now: float):
    entry = outcome.entry
    if outcome.status == "limited":
        return _too_many(outcome)
    if entry["state"] in ("missing", "unsafe"):
        if entry["state"] == "unsafe":
            logger.warning("Refused to follow a stored destination that is not http(s) (share %s).", entry["s"])
        raise Http404("No such link.")
    if entry["state"] == "expired" or (entry["x"] and now >= entry["x"]):
        return _unavailable(request, status=410)
    # Checked again here: only http and https are ever followed, whatever the cache holds.
    if not is_http_url(entry["d"]):
        logger.warning("Refused to follow a cached destination that is not http(s) (share %s).", entry["s"])
        raise Http404("No such link.")
    return _redirect_to(entry)


def _too_many(outcome: clickstream.Capture) -> HttpResponse:
    response = HttpResponse("Too many requests; try again shortly.\n", status=429, content_type="text/plain")
    response["Retry-After"] = str(outcome.retry_after)
    return response


def _redirect_to(entry: dict) -> HttpResponse:
    response = HttpResponseRedirect(entry["d"])
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    response["X-Robots-Tag"] = "noindex"
    return response


def landing(request, code):
    """The public page a tracked link leads to when the post has no destination of its own."""
    if not is_valid_code(code):
        raise Http404("No such link.")
    share = share_get_for_landing(code=code)
    post = share.post
    if not shared_links_open(post=post):
        return _unavailable(request, status=410)
    image = post_preview_image(post=post)
    # Previews need absolute URLs, on the site's public address rather than whatever Host was asked.
    if image and image["url"].startswith("/"):
        image = {**image, "url": settings.SITE_URL + image["url"]}
    context = {
        "share": share,
        "post": post,
        "image": image,
        "canonical_url": settings.SITE_URL + reverse("sharing:landing", kwargs={"code": code}),
        "description": (share.caption or post.suggested_caption or post.body)[:300],
    }
    return render(request, "sharing/landing.html", context)


@permission_required(EMPLOYEE_AREA)
def my_activity(request, *, published_form=None, failed_share_id=None, status=200):
    totals = share_totals_for_user(user=request.user)
    paginator = Paginator(share_list_for_user(user=request.user), ACTIVITY_PER_PAGE)
    paginator.count = totals["shares"]  # counted once, with the clicks
    page = paginator.get_page(request.GET.get("page"))
    shares = list(page)
    for share in shares:
        share.verification_help = VERIFICATION_HELP.get(share.published_verification, "")
    context = {
        "shares": shares,
        "page_obj": page,
        "total_shares": totals["shares"],
        "total_clicks": totals["human_clicks"],
        "published_form": published_form,
        "failed_share_id": failed_share_id,
    }
    response = render(request, "sharing/my_activity.html", context, status=status)
    if shares:
        set_sharer_cookie(request, response, user_id=request.user.pk)
    return response


def _activity_page_url(request) -> str:
    """Back to the page of My activity the form was on."""
    page = request.GET.get("page", "")
    url = reverse("sharing:my_activity")
    return f"{url}?{urlencode({'page': page})}" if page.isdigit() else url


@require_POST
@permission_required(EMPLOYEE_AREA)
def published_url(request, share_id):
    share = share_get_for_user(user=request.user, share_id=share_id)
    form = PublishedUrlForm(request.POST)
    if form.is_valid():
        try:
            share_record_published_url(share=share, url=form.cleaned_data["url"])
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, f"Saved the link to your {share.get_network_display()} post.")
            return redirect(_activity_page_url(request))
    return my_activity(request, published_form=form, failed_share_id=share.pk, status=400)
