"""Every error as RFC 9457 problem details (``application/problem+json``): ``type``, ``title``, ``status``,
``detail`` and, for invalid input, ``errors``: each field's messages in words."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "https://onboarding-portal.example/problems/"
CONTENT_TYPE = "application/problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The object changed since you read it (its ETag no longer matches If-Match).")
    default_code = "precondition_failed"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("The request cannot be processed.")
    default_code = "unprocessable"


def _words(detail) -> dict | list | str:
    """DRF's nested ``ErrorDetail`` structure as plain strings."""
    if isinstance(detail, dict):
        return {key: _words(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_words(value) for value in detail]
    return str(detail)


def _title(code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(code).phrase


def problem(code: int, detail: str, *, kind: str, errors=None, headers=None) -> Response:
    body = {"type": PROBLEM_TYPE + kind, "title": _title(code), "status": code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=code, headers=headers, content_type=CONTENT_TYPE)
    return response


def problem_handler(exc, context):
    # The services raise Django's errors: a refused write is the 404 a page gives (never confirm the object),
    # an invalid one a 400 with the service's own messages.
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, DjangoPermissionDenied | Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    headers = {key: value for key, value in response.items() if key in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = _words(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
        return problem(code, _("The request has invalid fields."), kind="invalid", errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    kind = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        kind = exc.get_codes() if isinstance(exc.get_codes(), str) else kind
    return problem(code, str(_words(detail)), kind=kind.replace("_", "-"), headers=headers)


def is_api_request(request) -> bool:
    return request.path.startswith("/api/v1/")


def plain_problem(code: int, detail: str, *, kind: str):
    """Problem details outside DRF: the project's 404 and 500 handlers answer API paths with these."""
    from django.http import JsonResponse

    body = {"type": PROBLEM_TYPE + kind, "title": _title(code), "status": code, "detail": detail}
    return JsonResponse(body, status=code, content_type=CONTENT_TYPE)
