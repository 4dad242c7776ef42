from django.urls import path

from . import api, views

app_name = "leaderboard"

urlpatterns = [
    path("leaderboard/", views.board, name="board"),
    path("leaderboard/me/", views.my_points, name="my_points"),
    path("leaderboard/me/badges/", views.badges, name="badges"),
    path("leaderboard/me/events.csv", views.my_points_csv, name="my_points_csv"),
    path("leaderboard/rules/", views.rules, name="rules"),
    path("leaderboard/review/", views.review, name="review"),
    path("leaderboard/review/board.csv", views.board_csv, name="board_csv"),
    path("leaderboard/review/recompute/", views.recompute, name="recompute"),
    path("leaderboard/review/people/<int:user_id>/", views.review_person, name="review_person"),
    path("leaderboard/review/people/<int:user_id>/events.csv", views.person_csv, name="person_csv"),
    path("leaderboard/review/people/<int:user_id>/adjust/", views.adjust, name="adjust"),
    path("leaderboard/review/events/<int:event_id>/void/", views.void, name="void"),
    path("api/leaderboard/", api.BoardApi.as_view(), name="api_board"),
    path("api/points/me/", api.MyPointsApi.as_view(), name="api_my_points"),
]
