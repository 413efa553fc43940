"""The OpenAPI description of what every operation shares: the bearer token and the problem-details errors."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "Each invalid field's messages, in words."},
    },
}
_ERRORS = {
    "400": "Invalid input (``errors`` names each field).",
    "401": "No token, or a wrong, expired or revoked one.",
    "403": "The token lacks the scope.",
    "404": "Not found, or not yours to see (another client's object).",
    "429": "Too many requests (``Retry-After``), or too many wrong tokens from this address.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal or service-account token (op_…)."}


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method in ("PATCH", "PUT"):
            errors["412"] = "``If-Match`` names an older version of the object."
        if self.method == "POST":
            errors["422"] = "This ``Idempotency-Key`` was used with another request."
        for code, description in errors.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            )
        return responses


def add_problem(result, generator, request, public):
    """Post-processing hook: the ``Problem`` component every error response refers to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    # ``Staff<Name>`` is ``<Name>`` plus what only the vendor's team reads: those fields are optional, since a
    # client's token gets the same operation's answer without them.
    for name, staff_only in _staff_only_fields().items():
        component = schemas.get(name)
        if component is None:
            continue
        component["required"] = [field for field in component.get("required", []) if field not in staff_only]
        component["description"] = (
            component.get("description", "") + " Fields only the team reads: " + ", ".join(sorted(staff_only)) + "."
        ).strip()
    return result


def _staff_only_fields() -> dict[str, set[str]]:
    from . import serializers, serializers_flags
    from .views import meetings, promises

    pairs = [
        (meetings.StaffMeetingSerializer, meetings.MeetingSerializer),
        (meetings.StaffActionItemSerializer, meetings.ActionItemSerializer),
        (promises.StaffPromiseSerializer, promises.PromiseSerializer),
        (serializers.StaffEngagementSerializer, serializers.EngagementSerializer),
        (serializers.StaffStakeholderSerializer, serializers.StakeholderSerializer),
        (serializers_flags.StaffRedFlagSerializer, serializers_flags.RedFlagSerializer),
    ]
    return {
        staff.__name__.removesuffix("Serializer"): set(staff.Meta.fields) - set(base.Meta.fields)
        for staff, base in pairs
    }


def add_links(result, generator, request, public):
    """Post-processing hook: OpenAPI links a client (and schemathesis' stateful run) can follow. A list's first row
    and a created object (``201``) lead to every operation on that object and below it (``/red-flags/{id}/…``); an
    object read leads to the operations below it."""
    paths = result.get("paths", {})

    def targets(prefix):
        for path, operations in paths.items():
            if path.startswith(f"{prefix}{{id}}/"):
                for method, operation in operations.items():
                    if method in ("get", "post", "patch", "put", "delete") and "operationId" in operation:
                        yield path, operation["operationId"]

    def link(operations, status, expression, prefix, *, skip=None):
        response = operations.get(status)
        if response is None:
            return
        links = response.setdefault("links", {})
        for path, operation_id in targets(prefix):
            if path == skip:
                continue
            links[operation_id] = {"operationId": operation_id, "parameters": {"id": expression}}

    for prefix, operations in paths.items():
        if "{" in prefix:
            continue
        if "get" in operations:
            link(operations["get"].get("responses", {}), "200", "$response.body#/results/0/id", prefix)
        if "post" in operations:
            link(operations["post"].get("responses", {}), "201", "$response.body#/id", prefix)
    for path, operations in paths.items():
        if path.endswith("/{id}/") and "get" in operations:
            responses = operations["get"].get("responses", {})
            link(responses, "200", "$request.path.id", path.removesuffix("{id}/"), skip=path)
    return result
