"""The comms workspace: write and review posts, plan the calendar, run campaigns."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from, posted
from advocacy.panels import panels_for
from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE

from .forms import (
    CampaignForm,
    CommsPostListForm,
    ImageAddForm,
    PostForm,
    ScheduleForm,
    SuggestionReviewForm,
    TransitionForm,
    VideoForm,
)
from .models import Campaign, Post, PostImage, Suggestion
from .selectors import (
    PostState,
    campaign_list,
    post_calendar_grid,
    post_captions_by_network,
    post_get_for_comms,
    post_list_for_comms,
    post_required_hashtags,
    review_queue,
)
from .services import (
    ALLOWED_TRANSITIONS,
    campaign_create,
    campaign_update,
    post_archive_many,
    post_create,
    post_image_add,
    post_image_remove,
    post_schedule,
    post_transition,
    post_update,
    post_video_set,
    suggestion_approve,
    suggestion_reject,
    topic_get_or_create,
)

TRANSITION_LABELS = {
    Post.Status.SUBMITTED: gettext_lazy("Submit for review"),
    Post.Status.APPROVED: gettext_lazy("Approve"),
    Post.Status.REJECTED: gettext_lazy("Reject"),
    Post.Status.DRAFT: gettext_lazy("Back to draft"),
    Post.Status.ARCHIVED: gettext_lazy("Archive"),
}


def _topics_from(form) -> list:
    topics = list(form.cleaned_data.get("topics") or [])
    for name in (form.cleaned_data.get("new_topics") or "").split(","):
        if name.strip():
            topics.append(topic_get_or_create(name=name))
    return topics


COMMS_POSTS_PER_PAGE = 25


@permission_required(COMMS_WORKSPACE)
def post_list(request):
    form = CommsPostListForm(request.GET)
    if not form.is_valid():
        # A filter that cannot be applied gets its message and no list: another list would mislead.
        return render(request, "content_library/comms/post_list.html", {"form": form}, status=400)
    filters = form.filters()
    page = Paginator(post_list_for_comms(**filters), COMMS_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page:
        post.state = PostState.choices[post.state_rank]
    kept = request.GET.copy()
    kept.pop("page", None)
    unsorted = kept.copy()
    unsorted.pop("sort", None)
    return render(
        request,
        "content_library/comms/post_list.html",
        {
            "form": form,
            "page": page,
            "filtered": form.filtered,
            "columns": _sortable_columns(current=filters["sort"], query=unsorted.urlencode()),
            "query": kept.urlencode(),
        },
    )


_POST_LIST_COLUMNS = [
    (gettext_lazy("Title"), "title"),
    (gettext_lazy("State"), "state"),
    (gettext_lazy("Type"), "type"),
    (gettext_lazy("Campaign"), "campaign"),
    (gettext_lazy("Audience"), None),
    (gettext_lazy("Publishes"), "publishes"),
    (gettext_lazy("Expires"), "expires"),
    (gettext_lazy("Shares"), "shares"),
    (gettext_lazy("Human clicks"), "clicks"),
    (gettext_lazy("Updated"), "updated"),
]


def _sortable_columns(*, current: str, query: str) -> list[dict]:
    """The list's header cells: a link that sorts by the column (again: the other way) and its aria-sort."""
    columns = []
    for label, key in _POST_LIST_COLUMNS:
        column = {"label": label, "key": key}
        if key is not None:
            ascending, descending = current == key, current == f"-{key}"
            # Numbers and dates read best largest or newest first; names from A.
            first = key if key in ("title", "state", "type", "campaign") else f"-{key}"
            wanted = (f"-{key}" if ascending else key) if ascending or descending else first
            column["href"] = "?" + "&".join(part for part in (query, f"sort={wanted}") if part)
            column["aria_sort"] = "ascending" if ascending else "descending" if descending else ""
        columns.append(column)
    return columns


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_archive(request):
    ids = [value for value in request.POST.getlist("post") if value.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one post to archive."))
        return redirect("content_library:comms_post_list")
    moved = post_archive_many(post_ids=ids, actor=request.user, note=request.POST.get("note", "")[:2000])
    messages.success(
        request, ngettext("%(count)s post archived.", "%(count)s posts archived.", moved) % {"count": moved}
    )
    return redirect("content_library:comms_post_list")


def _post_form_view(request, *, post: Post | None):
    form = PostForm(*posted(request), instance=post)
    if request.method == "POST" and form.is_valid():
        saved = None
        try:
            topics = _topics_from(form)
            fields = form.post_fields()
            if post is None:
                saved = post_create(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    topics=topics,
                    target_teams=list(form.cleaned_data["target_teams"]),
                    captions=form.captions(),
                    **fields,
                )
            else:
                saved = post_update(
                    post=post,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    topics=topics,
                    target_teams=list(form.cleaned_data["target_teams"]),
                    captions=form.captions(),
                    **fields,
                )
            if form.cleaned_data.get("image"):
                post_image_add(
                    post=saved,
                    upload=form.cleaned_data["image"],
                    alt_text=form.cleaned_data["image_alt_text"],
                    actor=request.user,
                )
        except ValidationError as exc:
            form_errors_from(form, exc)
            if post is None and saved is not None:
                # The post itself was saved; only the image was refused. Edit from here.
                messages.error(
                    request,
                    _("The post is saved, but the image was refused: %(reasons)s")
                    % {"reasons": " ".join(exc.messages)},
                )
                return redirect("content_library:comms_post_edit", pk=saved.pk)
        else:
            messages.success(request, _("Post saved."))
            return redirect("content_library:comms_post_detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    # Apps above add to the editor of an existing post (the programme: ambassadors' feedback thread).
    panels = panels_for("comms_post_editor", request=request, post=post) if post is not None else []
    context = {"form": form, "post": post, "panels": panels}
    return render(request, "content_library/comms/post_form.html", context, status=status)


@permission_required(COMMS_WORKSPACE)
def post_new(request):
    return _post_form_view(request, post=None)


@permission_required(COMMS_WORKSPACE)
def post_edit(request, pk):
    return _post_form_view(request, post=post_get_for_comms(post_id=pk))


def _post_page(request, post: Post, *, status=200, **forms):
    context = {
        "post": post,
        "images": list(post.images.all()),
        "captions_by_network": post_captions_by_network(post=post),
        "required_hashtags": post_required_hashtags(post=post),
        "transitions": list(post.transitions.all()),
        "next_steps": [
            (to_status, TRANSITION_LABELS[to_status]) for to_status in sorted(ALLOWED_TRANSITIONS[post.status])
        ],
        "image_form": forms.get("image_form") or ImageAddForm(),
        "video_form": forms.get("video_form") or VideoForm(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(
            initial={
                "publish_at": post.publish_at and timezone.localtime(post.publish_at),
                "expires_at": post.expires_at and timezone.localtime(post.expires_at),
            }
        ),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "can_add_image": len(post.images.all()) < 4,
    }
    return render(request, "content_library/comms/post_detail.html", context, status=status)


@permission_required(COMMS_WORKSPACE)
def post_detail(request, pk):
    return _post_page(request, post_get_for_comms(post_id=pk))


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_transition_view(request, pk):
    post = post_get_for_comms(post_id=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            post_transition(
                post=post, to_status=form.cleaned_data["to_status"], actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The post is now %(status)s.") % {"status": post.get_status_display().lower()})
            if request.POST.get("back") == "review":
                return redirect("content_library:comms_review")
            return redirect("content_library:comms_post_detail", pk=post.pk)
    return _post_page(request, post, status=400, transition_form=form)


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_schedule_view(request, pk):
    post = post_get_for_comms(post_id=pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            post_schedule(
                post=post,
                actor=request.user,
                publish_at=form.cleaned_data["publish_at"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("content_library:comms_post_detail", pk=post.pk)
    return _post_page(request, post_get_for_comms(post_id=pk), status=400, schedule_form=form)


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_image_add_view(request, pk):
    post = post_get_for_comms(post_id=pk)
    form = ImageAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            post_image_add(
                post=post, upload=form.cleaned_data["image"], alt_text=form.cleaned_data["alt_text"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Image added; network sizes are being made."))
            return redirect("content_library:comms_post_detail", pk=post.pk)
    return _post_page(request, post, status=400, image_form=form)


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_video_set_view(request, pk):
    post = post_get_for_comms(post_id=pk)
    form = VideoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            post_video_set(
                post=post,
                upload=form.cleaned_data["video"],
                description=form.cleaned_data["video_description"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Video added."))
            return redirect("content_library:comms_post_detail", pk=post.pk)
    return _post_page(request, post, status=400, video_form=form)


@permission_required(COMMS_WORKSPACE)
@require_POST
def post_image_remove_view(request, pk):
    image = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    post_image_remove(image=image, actor=request.user)
    messages.success(request, _("Image removed."))
    return redirect("content_library:comms_post_detail", pk=image.post_id)


@permission_required(COMMS_WORKSPACE)
def review(request):
    queue = review_queue()
    return render(
        request,
        "content_library/comms/review.html",
        {"posts": queue["posts"], "suggestions": queue["suggestions"]},
    )


@permission_required(COMMS_WORKSPACE)
@require_POST
def suggestion_review(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.select_related("author"), pk=pk)
    form = SuggestionReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                post = suggestion_approve(
                    suggestion=suggestion,
                    reviewer=request.user,
                    note=data["note"],
                    title=data["title"],
                    publish_at=timezone.now() if data["publish_now"] else None,
                )
                messages.success(
                    request, _("Suggestion approved: “%(title)s” is in the library.") % {"title": post.title}
                )
            else:
                suggestion_reject(suggestion=suggestion, reviewer=request.user, note=data["note"])
                messages.success(request, _("Suggestion declined; its author will see your note."))
        except ValidationError as exc:
            # Shown at the suggestion's own form (the page opens there: #suggestion-<pk>), naming it.
            which = suggestion.url or (suggestion.text[:60] + ("…" if len(suggestion.text) > 60 else ""))
            action = "Approving" if data["decision"] == "approve" else "Rejecting"
            errors = [
                f"{action} the suggestion from {suggestion.author.name} ({which}): {error}" for error in exc.messages
            ]
            queue = review_queue()
            return render(
                request,
                "content_library/comms/review.html",
                {
                    "posts": queue["posts"],
                    "suggestions": queue["suggestions"],
                    "failed": suggestion.pk,
                    "failed_errors": errors,
                    "failed_data": request.POST,
                },
                status=400,
            )
        return redirect("content_library:comms_review")
    messages.error(request, _("Choose approve or reject."))
    return redirect("content_library:comms_review")


# Far enough for any plan; keeps date arithmetic away from date.min and date.max.
_CALENDAR_YEARS = (1970, 9000)


@permission_required(COMMS_WORKSPACE)
def calendar(request):
    """A month grid (?month=2026-12) or a week (?view=week&start=2026-12-07), Monday first."""
    today = timezone.localdate()
    if request.GET.get("view") == "week":
        try:
            day = date.fromisoformat(request.GET.get("start", ""))
        except ValueError:
            day = today
        if not _CALENDAR_YEARS[0] <= day.year <= _CALENDAR_YEARS[1]:
            day = today
        start = day - timedelta(days=day.weekday())
        context = post_calendar_grid(start=start, days=7)
        context.update(
            view="week",
            title=_("Week of %(date)s") % {"date": date_format(start, "j F Y")},
            previous=f"?view=week&start={start - timedelta(days=7)}",
            next=f"?view=week&start={start + timedelta(days=7)}",
            current="?view=week",
            other=f"?month={start:%Y-%m}",
        )
    else:
        try:
            first = date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            first = today.replace(day=1)
        if not _CALENDAR_YEARS[0] <= first.year <= _CALENDAR_YEARS[1]:
            first = today.replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
        context = post_calendar_grid(start=start, days=(end - start).days + 1)
        previous = (first - timedelta(days=1)).replace(day=1)
        context.update(
            view="month",
            month=first,
            title=date_format(first, "F Y"),
            previous=f"?month={previous:%Y-%m}",
            next=f"?month={last + timedelta(days=1):%Y-%m}",
            current="?",
            other=f"?view=week&start={max(start, min(today, last))}",
        )
    context["time_zone"] = timezone.get_current_timezone_name()
    return render(request, "content_library/comms/calendar.html", context)


@permission_required(COMMS_WORKSPACE)
def campaigns(request):
    form = CampaignForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign.name})
            return redirect("content_library:comms_campaigns")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "content_library/comms/campaigns.html", {"campaigns": campaign_list(), "form": form}, status=status
    )


@permission_required(COMMS_WORKSPACE)
def campaign_edit(request, pk):
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404("No such campaign.")
    form = CampaignForm(posted(request)[0], instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("content_library:comms_campaigns")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "content_library/comms/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )
