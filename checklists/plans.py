"""The work plan as a client decides on it: the snapshot stored with each decision, and what counts as a change of
plan (pure functions, used by the services that record decisions and by the pages that offer them)."""

from .models import Decision


def snapshot_of(stages) -> dict:
    """The exact version of the stages (items prefetched) a client decision is about, stored with it."""
    return {
        "stages": [
            {
                "id": stage.pk,
                "title": stage.title,
                "items": [
                    {
                        "id": item.pk,
                        "title": item.title,
                        "owner_side": item.owner_side,
                        "due_on": item.due_on.isoformat() if item.due_on else None,
                        "status": item.status,
                    }
                    for item in stage.items.all()
                ],
            }
            for stage in stages
        ]
    }


def plan_of(snapshot: dict) -> list:
    """What a work-plan acceptance is about: the stages and their items with titles, sides and due dates. Progress
    (an item's status) is not part of the plan: ticking an item does not call for a new acceptance."""
    return [
        (stage["id"], stage["title"], [(i["id"], i["title"], i["owner_side"], i["due_on"]) for i in stage["items"]])
        for stage in snapshot.get("stages", [])
    ]


def work_plan_acceptable(*, stages, latest) -> bool:
    """May the client accept the work plan now: there is one (``stages``, with their items prefetched), and it
    is not already accepted as it stands (``latest``: the latest work-plan decision, or None)."""
    if not stages:
        return False
    if latest is None or latest.decision != Decision.ACCEPTED:
        return True
    return plan_of(latest.snapshot) != plan_of(snapshot_of(stages))
