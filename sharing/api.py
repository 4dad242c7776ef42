from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from advocacy.networks import CAPTION_MAX_LENGTH, Network, reported_figures
from advocacy.people.access import api_permission
from advocacy.people.roles import EMPLOYEE_AREA
from content_library.selectors import post_get_for_employee

from .links import intent_url, tracked_link
from .published_posts import VERIFICATION_HELP
from .selectors import share_get_for_user, share_list_for_user
from .services import AcknowledgementRequired, ShareRefused, share_create, share_record_published_url
from .visitors import visitor_hashes


class ShareOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post = serializers.CharField(source="post.slug")
    post_title = serializers.CharField(source="post.title")
    network = serializers.CharField()
    caption = serializers.CharField()
    tracked_link = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_shared_at = serializers.DateTimeField()
    human_clicks = serializers.IntegerField()
    published_url = serializers.CharField()
    published_post_id = serializers.CharField()
    verification = serializers.CharField(
        source="published_verification",
        help_text="verifying, verified, not_yours, link_missing, unverifiable, claimed; empty before a post is pasted.",
    )
    verification_label = serializers.CharField(source="get_published_verification_display")
    verification_detail = serializers.CharField(source="published_verification_detail")
    verification_help = serializers.SerializerMethodField()
    scored = serializers.BooleanField(source="is_scored", help_text="Whether the post's engagement earns points.")
    metrics = serializers.SerializerMethodField(
        help_text="Latest likes, reposts, replies, quotes, impressions; null where the network does not report one "
        "(or has not yet), never 0."
    )

    def get_tracked_link(self, share) -> str:
        return tracked_link(share.code)

    def get_verification_help(self, share) -> str:
        return VERIFICATION_HELP.get(share.published_verification, "")

    def get_metrics(self, share) -> dict[str, int | None]:
        return reported_figures(network=share.network, totals=getattr(share, "metrics", None))


class ShareListApi(APIView):
    """My shares, newest first, with human clicks counted so far."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]
    pagination_class = PageNumberPagination  # so the schema documents the page envelope, not a bare list

    @extend_schema(responses=ShareOutputSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(share_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ShareOutputSerializer(page, many=True).data)


class ShareCreateApi(APIView):
    """Share a post: the same rules as the share button (policy acknowledged, caption checked)."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class ShareCreateInputSerializer(serializers.Serializer):
        post = serializers.SlugField(help_text="The post's slug.")
        network = serializers.ChoiceField(choices=Network.choices)
        caption = serializers.CharField(max_length=CAPTION_MAX_LENGTH, allow_blank=True, trim_whitespace=False)

    class ShareCreateOutputSerializer(ShareOutputSerializer):
        created = serializers.BooleanField()
        intent_url = serializers.CharField(help_text="Open this to post on the network.")

    @extend_schema(
        request=ShareCreateInputSerializer,
        responses={201: ShareCreateOutputSerializer, 200: ShareCreateOutputSerializer},
    )
    def post(self, request):
        serializer = self.ShareCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            post = post_get_for_employee(user=request.user, slug=data["post"])
        except Http404:
            raise serializers.ValidationError({"post": ["No such post in your library."]}) from None
        try:
            share, created = share_create(
                user=request.user,
                post=post,
                network=data["network"],
                caption=data["caption"],
                visitor_hash=visitor_hashes(request)[0],
            )
        except AcknowledgementRequired:
            raise serializers.ValidationError(
                {"non_field_errors": ["Please read and acknowledge the current social media policy first."]}
            ) from None
        except ShareRefused as refusal:
            raise serializers.ValidationError({"caption": refusal.problems}) from None
        share.created = created
        share.intent_url = intent_url(
            network=share.network,
            link=tracked_link(share.code),
            caption=share.caption,
            title=post.title,
            mastodon_instance=request.user.mastodon_instance,
        )
        return Response(
            self.ShareCreateOutputSerializer(share).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SharePublishedUrlApi(APIView):
    """Record the URL of the post published on the network, for the engagement workers."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class SharePublishedUrlInputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500)

    @extend_schema(request=SharePublishedUrlInputSerializer, responses=ShareOutputSerializer)
    def post(self, request, share_id):
        share = share_get_for_user(user=request.user, share_id=share_id)
        serializer = self.SharePublishedUrlInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            share = share_record_published_url(share=share, url=serializer.validated_data["url"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"url": exc.messages}) from None
        return Response(ShareOutputSerializer(share).data)
