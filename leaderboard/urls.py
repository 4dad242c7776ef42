app_name = "leaderboard"

urlpatterns: list = []
