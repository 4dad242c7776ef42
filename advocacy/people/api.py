from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import api_permission
from .models import Team
from .roles import EMPLOYEE_AREA
from .selectors import team_list, user_roles
from .services import profile_update


class TeamListApi(APIView):
    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class TeamOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        slug = serializers.CharField()
        kind = serializers.CharField()
        member_count = serializers.IntegerField()

    @extend_schema(responses=TeamOutputSerializer(many=True))
    def get(self, request):
        return Response(self.TeamOutputSerializer(team_list(), many=True).data)


class MeApi(APIView):
    """The signed-in person's own profile."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class ProfileOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField()
        display_name = serializers.CharField()
        team = serializers.CharField(source="team.slug", allow_null=True, default=None)
        roles = serializers.SerializerMethodField()
        x_handle = serializers.CharField()
        mastodon_handle = serializers.CharField()
        bluesky_handle = serializers.CharField()
        linkedin_profile_url = serializers.CharField()
        hide_from_leaderboards = serializers.BooleanField()
        digest_frequency = serializers.CharField()

        def get_roles(self, user) -> list[str]:
            return user_roles(user=user)

    class ProfileInputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
        team = serializers.SlugRelatedField(
            slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
        )
        x_handle = serializers.CharField(max_length=16, required=False, allow_blank=True)
        mastodon_handle = serializers.CharField(max_length=120, required=False, allow_blank=True)
        bluesky_handle = serializers.CharField(max_length=253, required=False, allow_blank=True)
        linkedin_profile_url = serializers.URLField(required=False, allow_blank=True)
        hide_from_leaderboards = serializers.BooleanField(required=False)
        digest_frequency = serializers.ChoiceField(choices=["weekly", "never"], required=False)

    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request):
        return Response(self.ProfileOutputSerializer(request.user).data)

    @extend_schema(request=ProfileInputSerializer, responses=ProfileOutputSerializer)
    def patch(self, request):
        serializer = self.ProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            user = profile_update(user=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(self.ProfileOutputSerializer(user).data)
