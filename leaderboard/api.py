from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from advocacy.people.access import api_permission
from advocacy.people.roles import EMPLOYEE_AREA

from .selectors import BoardNotFound, badges_for, board_page, board_resolve, points_events_for, points_total_for

BOARD_PARAMETERS = [
    OpenApiParameter("period", str, enum=["week", "month", "quarter", "all"], description="Default: week."),
    OpenApiParameter("scope", str, description="everyone (default), team:<id> or campaign:<id>."),
    OpenApiParameter("previous", bool, description="The previous period instead of the current one."),
]


class LeaderboardRowOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField(source="standing.points")
    is_you = serializers.BooleanField(source="is_viewer")


class BoardApi(APIView):
    """A leaderboard: its top, your rank and the people around you."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]

    class BoardInputSerializer(serializers.Serializer):
        period = serializers.CharField(required=False, allow_blank=True, default="")
        scope = serializers.CharField(required=False, allow_blank=True, default="")
        previous = serializers.BooleanField(required=False, default=False)

    class BoardOutputSerializer(serializers.Serializer):
        period = serializers.CharField(source="board.period")
        start = serializers.DateField(source="board.start")
        end = serializers.DateField(source="board.end")
        scope = serializers.CharField(source="board.scope")
        scope_id = serializers.IntegerField(source="board.scope_id")
        label = serializers.CharField(source="board.label")
        top = LeaderboardRowOutputSerializer(many=True)
        around = LeaderboardRowOutputSerializer(many=True)
        you = LeaderboardRowOutputSerializer(source="viewer", allow_null=True)
        your_points = serializers.IntegerField(source="viewer_points")
        you_are_ranked = serializers.SerializerMethodField()

        def get_you_are_ranked(self, page) -> bool:
            return not page.viewer_unranked

    @extend_schema(parameters=BOARD_PARAMETERS, responses=BoardOutputSerializer)
    def get(self, request):
        params = self.BoardInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            board = board_resolve(**params.validated_data)
        except BoardNotFound as exc:
            raise serializers.ValidationError({"scope": [str(exc)]}) from None
        page = board_page(board=board, viewer=request.user)
        return Response(self.BoardOutputSerializer(page).data)


class PointEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    points = serializers.IntegerField()
    quantity = serializers.IntegerField()
    description = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    rules_version = serializers.IntegerField(source="rules.version", allow_null=True, default=None)
    voided = serializers.BooleanField(source="is_voided")
    reason = serializers.CharField()


class PointsBadgeOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    earned = serializers.BooleanField()
    progress = serializers.CharField(help_text="Where you are towards it, when it is a count; else empty.")


class MyPointsApi(APIView):
    """Your total, your badges and the latest ledger events behind the total."""

    permission_classes = [api_permission(EMPLOYEE_AREA)]
    LATEST = 100

    class MyPointsOutputSerializer(serializers.Serializer):
        total = serializers.IntegerField()
        badges = PointsBadgeOutputSerializer(many=True)
        events = PointEventOutputSerializer(many=True)

    @extend_schema(responses=MyPointsOutputSerializer)
    def get(self, request):
        events = points_events_for(user=request.user)[: self.LATEST]
        mine = {"total": points_total_for(user=request.user), "badges": badges_for(user=request.user), "events": events}
        return Response(self.MyPointsOutputSerializer(mine).data)
