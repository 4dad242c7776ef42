from django.urls import path

from . import api, comms, views

app_name = "content_library"

urlpatterns = [
    # Employees
    path("library/", views.feed, name="feed"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/new/", views.suggestion_new, name="suggestion_new"),
    path("library/<slug:slug>/", views.post_detail, name="post_detail"),
    path("videos/<int:pk>/", views.video_file, name="video_file"),
    # Comms workspace
    path("comms/library/posts/", comms.post_list, name="comms_post_list"),
    path("comms/library/posts/new/", comms.post_new, name="comms_post_new"),
    path("comms/library/posts/archive/", comms.post_archive, name="comms_post_archive"),
    path("comms/library/posts/<int:pk>/video/", comms.post_video_set_view, name="comms_post_video_set"),
    path("comms/library/posts/<int:pk>/", comms.post_detail, name="comms_post_detail"),
    path("comms/library/posts/<int:pk>/edit/", comms.post_edit, name="comms_post_edit"),
    path("comms/library/posts/<int:pk>/transition/", comms.post_transition_view, name="comms_post_transition"),
    path("comms/library/posts/<int:pk>/schedule/", comms.post_schedule_view, name="comms_post_schedule"),
    path("comms/library/posts/<int:pk>/images/", comms.post_image_add_view, name="comms_post_image_add"),
    path("comms/library/images/<int:pk>/remove/", comms.post_image_remove_view, name="comms_post_image_remove"),
    path("comms/library/review/", comms.review, name="comms_review"),
    path("comms/library/suggestions/<int:pk>/review/", comms.suggestion_review, name="comms_suggestion_review"),
    path("comms/library/calendar/", comms.calendar, name="comms_calendar"),
    path("comms/library/campaigns/", comms.campaigns, name="comms_campaigns"),
    path("comms/library/campaigns/<int:pk>/", comms.campaign_edit, name="comms_campaign_edit"),
    # API
    path("api/library/posts/", api.FeedListApi.as_view(), name="api_feed"),
    path("api/library/posts/<slug:slug>/", api.FeedPostApi.as_view(), name="api_feed_post"),
    path("api/library/suggestions/", api.SuggestionListCreateApi.as_view(), name="api_suggestions"),
    path("api/comms/posts/", api.CommsPostListCreateApi.as_view(), name="api_comms_posts"),
    path("api/comms/posts/archive/", api.CommsPostArchiveApi.as_view(), name="api_comms_post_archive"),
    path("api/comms/posts/<int:pk>/", api.CommsPostApi.as_view(), name="api_comms_post"),
    path(
        "api/comms/posts/<int:pk>/transition/", api.CommsPostTransitionApi.as_view(), name="api_comms_post_transition"
    ),
    path("api/comms/campaigns/", api.CommsCampaignListCreateApi.as_view(), name="api_comms_campaigns"),
    path("api/comms/campaigns/<int:pk>/", api.CommsCampaignApi.as_view(), name="api_comms_campaign"),
]
