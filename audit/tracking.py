"""How a model of record joins the trail: ``@audit.tracking.track(engagement="stage__engagement")`` on the model.

pghistory makes an event model beside it (``<Model>Event``, in the model's own app and migrations) and PostgreSQL
triggers that copy each inserted, changed and deleted row into it, so set-based SQL and ``update()`` are recorded
as much as ``save()``. A change that touches only excluded or ``auto_now`` fields (``updated_at``) records nothing.

``engagement`` is the path from the model to its engagement (``""`` for the engagement itself, ``None`` for models
that belong to no engagement: templates, paths, calendars, tokens...), which is how an engagement's History tab
finds its rows; ``exclude`` names fields never copied (secrets, token digests, bookkeeping); ``client_fields`` the
fields a client may see change (``None``: the model's history is not shown in the portal)."""

from dataclasses import dataclass

import pghistory
import pgtrigger


@dataclass(frozen=True)
class Tracked:
    label: str  # the tracked model's "app.Model"
    engagement: str | None
    client_fields: tuple[str, ...] | None


# Tracked model label -> how it is read. Filled as the models are defined (import time, no database).
TRACKED: dict[str, Tracked] = {}


def track(
    *,
    engagement: str | None,
    exclude: tuple[str, ...] = (),
    fields: tuple[str, ...] | None = None,
    client_fields: tuple[str, ...] | None = None,
):
    kwargs = {}
    if fields is not None:
        kwargs["fields"] = list(fields)
    if exclude:
        kwargs["exclude"] = list(exclude)
    if fields is not None:
        condition = pgtrigger.AnyChange(*fields)
    else:
        condition = pgtrigger.AnyChange(exclude=list(exclude), exclude_auto=True)

    def decorate(model):
        model = pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(condition=condition),
            pghistory.DeleteEvent(),
            # "events" is taken on some models (a red flag's timeline, an item's history).
            obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
            model_name=f"{model.__name__}Event",
            **kwargs,
        )(model)
        TRACKED[model._meta.label] = Tracked(
            label=model._meta.label,
            engagement=engagement,
            client_fields=tuple(client_fields) if client_fields is not None else None,
        )
        return model

    return decorate
