from .selectors import branding_current


def branding(request):
    return {"branding": branding_current()}
