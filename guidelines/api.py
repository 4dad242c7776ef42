from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from advocacy.counting import LIMITS, counts_as_shared
from advocacy.networks import CAPTION_MAX_LENGTH, Network
from advocacy.people.access import api_permission
from advocacy.people.roles import EMPLOYEE_AREA
from content_library.models import Post
from content_library.selectors import post_visible_to_q

from .models import GuidelineDocument, GuidelineVersion
from .selectors import (
    acknowledgement_last,
    acknowledgement_required,
    banned_terms_active,
    guideline_versions_current,
    policy_version_current,
    policy_version_requiring_acknowledgement,
    portal_settings_get,
)
from .services import acknowledgement_record, caption_check


class CaptionProblemOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    term = serializers.CharField()
    reason = serializers.CharField()


class CaptionCountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    over = serializers.BooleanField()


class BannedTermOutputSerializer(serializers.Serializer):
    term = serializers.CharField()
    reason = serializers.CharField()


class GuidelineListApi(APIView):
    """The current version of every guideline, as sanitised HTML and its Markdown source."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class GuidelineOutputSerializer(serializers.Serializer):
        slug = serializers.CharField(source="document.slug")
        title = serializers.CharField(source="document.title")
        kind = serializers.CharField(source="document.kind")
        summary = serializers.CharField(source="document.summary")
        version = serializers.IntegerField(source="number")
        version_id = serializers.IntegerField(source="id")
        is_major = serializers.BooleanField()
        change_summary = serializers.CharField()
        published_at = serializers.DateTimeField(source="created_at")
        body_markdown = serializers.CharField(source="body")
        body_html = serializers.CharField()

    @extend_schema(responses=GuidelineOutputSerializer(many=True))
    def get(self, request):
        return Response(self.GuidelineOutputSerializer(guideline_versions_current(), many=True).data)


class CaptionRulesApi(APIView):
    """The caption rules in force: banned terms with reasons, disclosures and length limits per network."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class CaptionRulesOutputSerializer(serializers.Serializer):
        banned_terms = BannedTermOutputSerializer(many=True)
        disclosure = serializers.CharField()
        reward_draw_disclosure = serializers.CharField()
        length_limits = serializers.DictField(child=serializers.IntegerField())

    @extend_schema(responses=CaptionRulesOutputSerializer)
    def get(self, request):
        portal = portal_settings_get()
        data = {
            "banned_terms": banned_terms_active(),
            "disclosure": portal.disclosure,
            "reward_draw_disclosure": portal.reward_draw_disclosure,
            "length_limits": {str(network): limit for network, limit in LIMITS.items()},
        }
        return Response(self.CaptionRulesOutputSerializer(data).data)


class AcknowledgementApi(APIView):
    """GET: whether I must acknowledge the policy; POST: acknowledge it (the current version unless one is named)."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class AcknowledgementStatusOutputSerializer(serializers.Serializer):
        required = serializers.BooleanField()
        current_version_id = serializers.IntegerField(allow_null=True)
        current_version = serializers.IntegerField(allow_null=True)
        major_version = serializers.IntegerField(allow_null=True)
        acknowledged_version = serializers.IntegerField(allow_null=True)
        acknowledged_at = serializers.DateTimeField(allow_null=True)

    class AcknowledgementInputSerializer(serializers.Serializer):
        version = serializers.IntegerField(
            # Bounded like the id column, so a huge number is a 400, not a database overflow.
            required=False,
            min_value=1,
            max_value=2**31 - 1,
            help_text="A policy version id; the current one if left out.",
        )

    def _status(self, user) -> dict:
        current, major = policy_version_current(), policy_version_requiring_acknowledgement()
        last = acknowledgement_last(user=user)
        return {
            "required": acknowledgement_required(user=user),
            "current_version_id": current.pk if current else None,
            "current_version": current.number if current else None,
            "major_version": major.number if major else None,
            "acknowledged_version": last.version.number if last else None,
            "acknowledged_at": last.acknowledged_at if last else None,
        }

    @extend_schema(responses=AcknowledgementStatusOutputSerializer)
    def get(self, request):
        return Response(self.AcknowledgementStatusOutputSerializer(self._status(request.user)).data)

    @extend_schema(request=AcknowledgementInputSerializer, responses=AcknowledgementStatusOutputSerializer)
    def post(self, request):
        serializer = self.AcknowledgementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version_id = serializer.validated_data.get("version")
        if version_id is None:
            version = policy_version_current()
            if version is None:
                raise serializers.ValidationError({"version": ["There is no social media policy to acknowledge yet."]})
        else:
            version = (
                GuidelineVersion.objects.select_related("document")
                .filter(pk=version_id, document__kind=GuidelineDocument.Kind.POLICY)
                .first()
            )
            if version is None:
                raise serializers.ValidationError({"version": ["No such version of the social media policy."]})
        try:
            acknowledgement_record(user=request.user, version=version)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        data = self.AcknowledgementStatusOutputSerializer(self._status(request.user)).data
        return Response(data, status=status.HTTP_201_CREATED)


class CaptionCheckApi(APIView):
    """Check a caption against the guidelines: the problems that would refuse a share, and the count per network."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class CaptionCheckInputSerializer(serializers.Serializer):
        post = serializers.IntegerField()
        network = serializers.ChoiceField(choices=Network.choices)
        caption = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=CAPTION_MAX_LENGTH)

    class CaptionCheckOutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField()
        problems = CaptionProblemOutputSerializer(many=True)
        counts = serializers.DictField(child=CaptionCountOutputSerializer(), help_text="Every network, by its value.")
        unchanged_from_suggestion = serializers.BooleanField()

    @extend_schema(request=CaptionCheckInputSerializer, responses=CaptionCheckOutputSerializer)
    def post(self, request):
        serializer = self.CaptionCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        post = (
            Post.objects.filter(Q(post_visible_to_q(user=request.user)), pk=data["post"])
            .select_related("campaign")
            .prefetch_related("captions")
            .first()
        )
        if post is None:
            raise NotFound("No such post in your library.")
        check = caption_check(post=post, network=data["network"], caption=data["caption"])
        return Response(check.as_dict())


class CaptionCountApi(APIView):
    """Count captions as each network will receive them (tracked link included), with no post needed.

    The comms editor's preview asks this while a post is being written; the numbers are the
    ones the caption check and the employee's caption editor show for the same text.
    """

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class CaptionCountInputSerializer(serializers.Serializer):
        captions = serializers.DictField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=CAPTION_MAX_LENGTH),
            allow_empty=False,
            help_text="{network: caption}: the text to count for each network.",
        )

        def validate_captions(self, captions):
            unknown = sorted(set(captions) - set(Network.values))
            if unknown:
                raise serializers.ValidationError(f"Unknown network: {', '.join(unknown)}.")
            return captions

    class CaptionCountsOutputSerializer(serializers.Serializer):
        counts = serializers.DictField(child=CaptionCountOutputSerializer(), help_text="The networks asked about.")

    @extend_schema(request=CaptionCountInputSerializer, responses=CaptionCountsOutputSerializer)
    def post(self, request):
        serializer = self.CaptionCountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        counts = {
            network: counts_as_shared(caption)[network]
            for network, caption in serializer.validated_data["captions"].items()
        }
        return Response({"counts": counts})
