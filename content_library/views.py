"""Employee pages: the feed, a post, suggestions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.forms import form_errors_from, posted
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA
from advocacy.ranges import ranged_file_response

from .forms import FeedFilterForm, SuggestionForm
from .selectors import (
    FEED_PAGE_SIZE,
    campaign_choices_for_feed,
    library_last_visit,
    post_captions_by_network,
    post_feed,
    post_get_for_employee,
    post_required_hashtags,
    post_video_get_public,
    suggestion_list_for_author,
    topic_choices_for_feed,
)
from .services import library_visit_record, suggestion_create


@permission_required(EMPLOYEE_AREA)
def feed(request):
    user = request.user
    form = FeedFilterForm(
        request.GET or None,
        topics=topic_choices_for_feed(user=user),
        campaigns=campaign_choices_for_feed(user=user),
    )
    filters = form.filters()
    page = Paginator(post_feed(user=user, **filters), FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    last_visit = library_last_visit(user=user)
    library_visit_record(user=user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "content_library/feed.html",
        {
            "form": form,
            "page": page,
            "posts": page.object_list,
            "last_visit": last_visit,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
            "network": filters.get("network"),
        },
    )


@permission_required(EMPLOYEE_AREA)
def post_detail(request, slug):
    post = post_get_for_employee(user=request.user, slug=slug)
    return render(
        request,
        "content_library/post_detail.html",
        {
            "post": post,
            "images": list(post.images.all()),
            "captions_by_network": post_captions_by_network(post=post),
            "required_hashtags": post_required_hashtags(post=post),
        },
    )


@permission_required(EMPLOYEE_AREA)
def suggestion_new(request):
    form = SuggestionForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            suggestion_create(
                author=request.user,
                url=form.cleaned_data["url"],
                text=form.cleaned_data["text"],
                image=form.cleaned_data.get("image") or None,
                image_alt_text=form.cleaned_data["image_alt_text"],
                draft_caption=form.cleaned_data["draft_caption"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Thanks! Your suggestion is waiting for the comms team.")
            return redirect("content_library:suggestion_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "content_library/suggestion_form.html", {"form": form}, status=status)


@permission_required(EMPLOYEE_AREA)
def suggestion_list(request):
    return render(
        request, "content_library/suggestion_list.html", {"suggestions": suggestion_list_for_author(user=request.user)}
    )


@require_http_methods(["GET", "HEAD"])
def video_file(request, pk):
    """A post's video, with range requests (players seek); ?download=1 saves it, for networks that need a file.

    Public like the post images under /media/ and the tracked link's landing page, which plays it;
    only videos of approved posts are served.
    """
    video = post_video_get_public(video_id=pk)
    download = ""
    if request.GET.get("download"):
        download = f"{video.post.slug[:80]}.{video.file.name.rsplit('.', 1)[-1]}"
    return ranged_file_response(request, name=video.file.name, content_type=video.content_type, download_name=download)
