"""Role gates for views. Object-level access lives in each model's ``visible_to(user)``;
these only decide which *area* (staff workspace or client portal) a user may enter.

Both answer 404 rather than 403, so a URL never confirms to an outsider that it exists.
"""

from functools import wraps

from django.http import Http404


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_vendor_user and not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def client_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_client_user:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def key_user_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_key_user:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
