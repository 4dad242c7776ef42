"""Server-side role checks shared by page views and API views."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def permission_required(*permissions: str):
    """Anonymous visitors go to the login page; signed-in people holding none of the permissions get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_perm(permission) for permission in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def api_permission(*permissions: str) -> type[BasePermission]:
    """A DRF permission class that admits holders of any of the given area permissions."""

    class HasAreaPermission(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and any(user.has_perm(p) for p in permissions))

    return HasAreaPermission
