from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from . import services
from .audit import audit_record
from .models import AuditEntry, Team, User


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
        # Switching someone off or on goes through the one path (and the audit log), like HR's other tools.
        toggled = change and "is_active" in form.changed_data
        wanted_active = obj.is_active
        if toggled:
            obj.is_active = not wanted_active
        super().save_model(request, obj, form, change)
        if toggled and not wanted_active:
            services.user_deactivate(user=obj, actor=getattr(request, "user", None), source="admin")
        elif toggled:
            services.user_reactivate(user=obj, actor=getattr(request, "user", None), source="admin")

    def save_related(self, request, form, formsets, change):
        # The groups box writes roles directly; the audit log must still see the change.
        user = form.instance
        before = sorted(user.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(user.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                person=user,
                action=AuditEntry.Action.ROLES,
                actor=request.user,
                source="admin",
                before=before,
                after=after,
            )
