from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .models import Campaign, LibraryVisit, Post, PostCaption, PostImage, PostTransition, Suggestion, Topic
from .services import post_archive_many


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "hashtag", "starts_on", "ends_on"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "hashtag"]


class PostCaptionInline(admin.TabularInline):
    model = PostCaption
    extra = 0


class PostImageInline(admin.TabularInline):
    model = PostImage
    extra = 0
    # Uploads go through the comms workspace, which decodes and re-encodes them.
    fields = ["image", "alt_text", "position", "width", "height"]
    readonly_fields = ["image", "width", "height"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PostTransitionInline(admin.TabularInline):
    model = PostTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "content_type", "campaign", "is_featured", "publish_at", "expires_at"]
    list_filter = ["status", "content_type", "campaign", "is_featured"]
    list_select_related = ["campaign"]
    search_fields = ["title", "body", "suggested_caption"]
    # Status changes go through post_transition so each one is recorded.
    readonly_fields = ["status", "created_by", "suggested_by", "created_at", "updated_at"]
    filter_horizontal = ["topics", "target_teams"]
    inlines = [PostCaptionInline, PostImageInline, PostTransitionInline]
    actions = ["archive"]

    @admin.action(description="Archive selected posts")
    def archive(self, request, queryset):
        try:
            moved = post_archive_many(post_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, f"{moved} posts archived.")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["author"]
    readonly_fields = ["author", "image", "post", "reviewed_by", "reviewed_at", "created_at"]


@admin.register(LibraryVisit)
class LibraryVisitAdmin(admin.ModelAdmin):
    list_display = ["user", "seen_at"]
    list_select_related = ["user"]
