from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token

from api import errors as api_errors


@requires_csrf_token
def page_not_found(request, exception=None):
    if api_errors.is_api_request(request):
        return api_errors.plain_problem(404, gettext("Not found."), kind="not-found")
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def server_error(request):
    # No context processors that touch the database: the error may be the database.
    if api_errors.is_api_request(request):
        return api_errors.plain_problem(500, gettext("Server error."), kind="server-error")
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
