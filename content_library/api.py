"""The content library API: the feed for employees (same rules as the pages), curation for comms admins."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from advocacy.networks import CAPTION_MAX_LENGTH, Network
from advocacy.people.access import api_permission
from advocacy.people.models import Team
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA

from .models import Campaign, Post, Suggestion, Topic
from .selectors import (
    campaign_list,
    image_rendition,
    post_captions_by_network,
    post_feed,
    post_get_for_comms,
    post_get_for_employee,
    post_list_for_comms,
    post_required_hashtags,
    suggestion_list_for_author,
)
from .services import (
    campaign_create,
    campaign_update,
    post_archive_many,
    post_create,
    post_transition,
    post_update,
    suggestion_create,
)


def _raise_as_drf(exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    raise serializers.ValidationError(detail) from None


class LibraryImageOutputSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(source="alt_text")
    renditions = serializers.SerializerMethodField()

    def get_url(self, image) -> str:
        return self.context["request"].build_absolute_uri(image.image.url)

    def get_renditions(self, image) -> dict[str, str]:
        request = self.context["request"]
        return {
            size: request.build_absolute_uri(image_rendition(image=image, size=size)["url"])
            for size in (image.renditions or {})
        }


class LibraryTopicOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LibraryCampaignRefOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    hashtag = serializers.CharField()


class FeedPostOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    destination_url = serializers.CharField()
    content_type = serializers.CharField()
    is_featured = serializers.BooleanField()
    topics = LibraryTopicOutputSerializer(many=True, source="topics.all")
    campaign = LibraryCampaignRefOutputSerializer(allow_null=True)
    suggested_caption = serializers.CharField()
    captions = serializers.SerializerMethodField()
    caption_editable = serializers.BooleanField()
    required_hashtags = serializers.SerializerMethodField()
    publish_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    images = LibraryImageOutputSerializer(many=True, source="images.all")
    already_shared = serializers.BooleanField()

    def get_captions(self, post) -> dict[str, str]:
        return post_captions_by_network(post=post)

    def get_required_hashtags(self, post) -> list[str]:
        return post_required_hashtags(post=post)


class FeedListApi(APIView):
    """The posts the signed-in employee may share now, featured first then newest."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]
    pagination_class = PageNumberPagination  # so the schema documents the page envelope, not a bare list

    class FeedFilterInputSerializer(serializers.Serializer):
        topic = serializers.SlugField(required=False)
        campaign = serializers.SlugField(required=False)
        content_type = serializers.ChoiceField(choices=Post.ContentType.choices, required=False)
        network = serializers.ChoiceField(choices=Network.choices, required=False)
        search = serializers.CharField(required=False, max_length=100)

    @extend_schema(
        parameters=[FeedFilterInputSerializer, OpenApiParameter("page", int)],
        responses=FeedPostOutputSerializer(many=True),
    )
    def get(self, request):
        filters = self.FeedFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(post_feed(user=request.user, **filters.validated_data), request, view=self)
        data = FeedPostOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class FeedPostApi(APIView):
    permission_classes = [api_permission(EMPLOYEE_AREA)]

    @extend_schema(responses=FeedPostOutputSerializer)
    def get(self, request, slug):
        post = post_get_for_employee(user=request.user, slug=slug)
        return Response(FeedPostOutputSerializer(post, context={"request": request}).data)


class SuggestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    text = serializers.CharField()
    draft_caption = serializers.CharField()
    image = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Suggestion.Status.choices)
    review_note = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    post = serializers.SerializerMethodField(help_text="The library post made from it, once approved")

    def get_post(self, suggestion) -> str | None:
        return suggestion.post.slug if suggestion.post_id else None

    def get_image(self, suggestion) -> str | None:
        return self.context["request"].build_absolute_uri(suggestion.image.url) if suggestion.image else None


class SuggestionListCreateApi(APIView):
    """The signed-in employee's own content suggestions, newest first; POST proposes one.

    JSON only: a link and/or text and a draft caption. Suggestions with an image go
    through the suggestion page, which checks and re-encodes the upload.
    """

    permission_classes = [api_permission(EMPLOYEE_AREA)]
    pagination_class = PageNumberPagination
    parser_classes = [JSONParser]

    class SuggestionInputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        draft_caption = serializers.CharField(
            max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(parameters=[OpenApiParameter("page", int)], responses=SuggestionOutputSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(suggestion_list_for_author(user=request.user), request, view=self)
        return paginator.get_paginated_response(
            SuggestionOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=SuggestionInputSerializer, responses={201: SuggestionOutputSerializer})
    def post(self, request):
        serializer = self.SuggestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            suggestion = suggestion_create(author=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(
            SuggestionOutputSerializer(suggestion, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


# --- Comms --------------------------------------------------------------------


class CommsTransitionOutputSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommsPostOutputSerializer(FeedPostOutputSerializer):
    already_shared = None
    status = serializers.CharField()
    target_everyone = serializers.BooleanField()
    target_teams = serializers.SerializerMethodField()
    publish_at = serializers.DateTimeField(allow_null=True)
    suggested_by = serializers.CharField(source="suggested_by.username", allow_null=True, default=None)

    def get_target_teams(self, post) -> list[str]:
        return [team.slug for team in post.target_teams.all()]


class CommsPostDetailOutputSerializer(CommsPostOutputSerializer):
    transitions = CommsTransitionOutputSerializer(many=True, source="transitions.all")


class CommsPostInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    destination_url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    content_type = serializers.ChoiceField(choices=Post.ContentType.choices, required=False)
    topics = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    campaign = serializers.SlugRelatedField(
        slug_field="slug", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    is_featured = serializers.BooleanField(required=False)
    suggested_caption = serializers.CharField(max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True)
    captions = serializers.DictField(
        child=serializers.CharField(max_length=CAPTION_MAX_LENGTH, allow_blank=True),
        required=False,
        help_text="network -> caption",
    )
    caption_editable = serializers.BooleanField(required=False)
    hashtags = serializers.CharField(max_length=300, required=False, allow_blank=True)
    target_everyone = serializers.BooleanField(required=False)
    target_teams = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), many=True, required=False
    )
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_captions(self, value):
        unknown = set(value) - set(Network.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown networks: {', '.join(sorted(unknown))}.")
        return value


def _comms_post_output(request, post_id: int) -> dict:
    return CommsPostDetailOutputSerializer(post_get_for_comms(post_id=post_id), context={"request": request}).data


class CommsPostListCreateApi(APIView):
    permission_classes = [api_permission(COMMS_WORKSPACE)]
    pagination_class = PageNumberPagination  # so the schema documents the page envelope, not a bare list

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=Post.Status.values), OpenApiParameter("page", int)],
        responses=CommsPostOutputSerializer(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted and wanted not in Post.Status.values:
            raise serializers.ValidationError({"status": f"Choose one of {', '.join(Post.Status.values)}."})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            post_list_for_comms(status=wanted or None, with_content=True), request, view=self
        )
        return paginator.get_paginated_response(
            CommsPostOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=CommsPostInputSerializer, responses={201: CommsPostDetailOutputSerializer})
    def post(self, request):
        serializer = CommsPostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            post = post_create(actor=request.user, **data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(_comms_post_output(request, post.pk), status=status.HTTP_201_CREATED)


class CommsPostApi(APIView):
    permission_classes = [api_permission(COMMS_WORKSPACE)]

    @extend_schema(responses=CommsPostDetailOutputSerializer)
    def get(self, request, pk):
        return Response(_comms_post_output(request, pk))

    @extend_schema(request=CommsPostInputSerializer, responses=CommsPostDetailOutputSerializer)
    def patch(self, request, pk):
        post = post_get_for_comms(post_id=pk)
        serializer = CommsPostInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            post_update(post=post, actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(_comms_post_output(request, pk))


class CommsPostTransitionApi(APIView):
    """Submit, approve, reject (with a note), send back to draft or archive one post."""

    permission_classes = [api_permission(COMMS_WORKSPACE)]

    class PostTransitionInputSerializer(serializers.Serializer):
        to_status = serializers.ChoiceField(choices=Post.Status.choices)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(request=PostTransitionInputSerializer, responses=CommsPostDetailOutputSerializer)
    def post(self, request, pk):
        post = post_get_for_comms(post_id=pk)
        serializer = self.PostTransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            post_transition(post=post, actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(_comms_post_output(request, pk))


class CommsPostArchiveApi(APIView):
    """Archive several posts at once."""

    permission_classes = [api_permission(COMMS_WORKSPACE)]

    class PostArchiveInputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            # Bounded like the id column, so a huge number is a 400, not a database overflow.
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
            min_length=1,
            max_length=500,
        )
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class PostArchiveOutputSerializer(serializers.Serializer):
        archived = serializers.IntegerField()

    @extend_schema(request=PostArchiveInputSerializer, responses=PostArchiveOutputSerializer)
    def post(self, request):
        serializer = self.PostArchiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = post_archive_many(
            post_ids=serializer.validated_data["ids"], actor=request.user, note=serializer.validated_data["note"]
        )
        return Response({"archived": moved})


class CommsCampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    hashtag = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    post_count = serializers.IntegerField()
    live_count = serializers.IntegerField()


class CommsCampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    hashtag = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


def _campaign_output(pk: int) -> dict:
    return CommsCampaignOutputSerializer(campaign_list().get(pk=pk)).data


class CommsCampaignListCreateApi(APIView):
    permission_classes = [api_permission(COMMS_WORKSPACE)]

    @extend_schema(responses=CommsCampaignOutputSerializer(many=True))
    def get(self, request):
        return Response(CommsCampaignOutputSerializer(campaign_list(), many=True).data)

    @extend_schema(request=CommsCampaignInputSerializer, responses={201: CommsCampaignOutputSerializer})
    def post(self, request):
        serializer = CommsCampaignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            campaign = campaign_create(actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(_campaign_output(campaign.pk), status=status.HTTP_201_CREATED)


class CommsCampaignApi(APIView):
    permission_classes = [api_permission(COMMS_WORKSPACE)]

    def _campaign(self, pk) -> Campaign:
        campaign = Campaign.objects.filter(pk=pk).first()
        if campaign is None:
            raise Http404("No such campaign.")
        return campaign

    @extend_schema(responses=CommsCampaignOutputSerializer)
    def get(self, request, pk):
        self._campaign(pk)
        return Response(_campaign_output(pk))

    @extend_schema(request=CommsCampaignInputSerializer, responses=CommsCampaignOutputSerializer)
    def patch(self, request, pk):
        campaign = self._campaign(pk)
        serializer = CommsCampaignInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            campaign_update(campaign=campaign, actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(_campaign_output(pk))
