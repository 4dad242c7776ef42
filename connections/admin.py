from django.contrib import admin

from .models import ConnectedAccount


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):
    """Read-only, and never a token field: support can see that an account is connected, not act as it."""

    list_display = ("person", "network", "handle", "expires_at", "last_error", "updated_at")
    list_filter = ("network",)
    search_fields = ("handle", "person__username")
    fields = (
        "person",
        "network",
        "handle",
        "remote_account_id",
        "instance_url",
        "scopes",
        "expires_at",
        "last_error",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
