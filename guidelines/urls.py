from django.urls import path

from . import api, views

app_name = "guidelines"

urlpatterns = [
    path("guidelines/", views.portal, name="portal"),
    path("guidelines/acknowledge/", views.acknowledge, name="acknowledge"),
    path("guidelines/try/<slug:slug>/", views.try_caption, name="try_caption"),
    path("guidelines/documents/<slug:slug>/history/", views.history, name="history"),
    path("guidelines/documents/<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("guidelines/documents/<slug:slug>/diff/", views.diff, name="diff"),
    path("guidelines/acknowledgements/", views.acknowledgement_rates, name="acknowledgement_rates"),
    path("guidelines/acknowledgements/remind/", views.send_reminders, name="send_reminders"),
    path("guidelines/manage/", views.manage, name="manage"),
    path("guidelines/manage/documents/new/", views.document_create, name="document_create"),
    path("guidelines/manage/documents/<int:pk>/", views.document_edit, name="document_edit"),
    path("guidelines/manage/images/", views.images, name="images"),
    path("guidelines/manage/preview/", views.markdown_preview, name="markdown_preview"),
    path("guidelines/manage/rules/", views.rules, name="rules"),
    path("guidelines/manage/rules/terms/<int:pk>/", views.banned_term_edit, name="banned_term_edit"),
    path("guidelines/manage/contact/", views.contact_card, name="contact_card"),
    path("api/guidelines/", api.GuidelineListApi.as_view(), name="api_guidelines"),
    path("api/guidelines/rules/", api.CaptionRulesApi.as_view(), name="api_rules"),
    path("api/guidelines/acknowledgement/", api.AcknowledgementApi.as_view(), name="api_acknowledgement"),
    path("api/guidelines/caption-check/", api.CaptionCheckApi.as_view(), name="api_caption_check"),
    path("api/guidelines/caption-count/", api.CaptionCountApi.as_view(), name="api_caption_count"),
]
