from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from . import services
from .models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "team", "is_active"]
    list_filter = ["team", "groups", "is_active"]
    list_select_related = ["team"]
    fieldsets = UserAdmin.fieldsets + (
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "team",
                    "job_title",
                    "avatar",
                    "linkedin_profile_url",
                    "x_handle",
                    "mastodon_handle",
                    "bluesky_handle",
                    "digest_frequency",
                    "hide_from_leaderboards",
                ]
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        # Switching someone off goes through the one deactivation path, like HR's other tools.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj)
