"""What a red flag's webhook events carry: ids, level, severity and deadlines (ISO 8601 UTC), never notes. The
sweep's SQL path builds them from its rows, the services from the flag: both through ``flag_spec``."""

from datetime import UTC

from webhooks.services import EventSpec


def iso(instant):
    return instant.astimezone(UTC).isoformat() if instant is not None else None


def flag_spec(
    event_type: str, *, flag_id, engagement_id, client_id, severity, level, cycle, key: str = "", **extra
) -> EventSpec:
    data = {
        "red_flag": {"id": flag_id, "severity": str(severity), "level": level, "cycle": cycle},
        "engagement": {"id": engagement_id},
        "client": {"id": client_id},
        **extra,
    }
    return EventSpec.of(event_type, data, organization=client_id, engagement=engagement_id, key=key)


def _identity(flag) -> dict:
    # ``flag.engagement`` is read for the client id (loaded already by the services and the planner).
    return {
        "flag_id": flag.pk,
        "engagement_id": flag.engagement_id,
        "client_id": flag.engagement.client_id,
        "severity": flag.severity,
        "cycle": flag.cycle,
    }


def of_flag(event_type: str, flag, *, key: str = "", **extra) -> EventSpec:
    """One event about ``flag``, with its running deadlines."""
    return flag_spec(
        event_type,
        level=flag.level,
        key=key,
        **_identity(flag),
        **{"status": str(flag.status), "acknowledge_by": iso(flag.ack_due_at), "resolve_by": iso(flag.resolve_due_at)},
        **extra,
    )


def escalated(*, flag_id, engagement_id, client_id, severity, level, cycle, reason, missed, key) -> list[EventSpec]:
    """``red_flag.escalated``, and ``sla.target_missed`` where a deadline passed (once per flag, cycle and target:
    the level it was missed at and which deadline). The same from the planner and from the SQL path."""
    common = {
        "flag_id": flag_id,
        "engagement_id": engagement_id,
        "client_id": client_id,
        "severity": severity,
        "cycle": cycle,
    }
    specs = [flag_spec("red_flag.escalated", level=level, key=key, reason=str(reason), missed=iso(missed), **common)]
    if str(reason) in ("acknowledge", "resolve") and missed is not None:
        specs.append(
            flag_spec(
                "sla.target_missed",
                level=level,
                key=f"sla:{flag_id}:{cycle}:{level}:{reason}",
                target=str(reason),
                deadline=iso(missed),
                **common,
            )
        )
    return specs


def escalated_of(flag, *, level, reason, missed, key) -> list[EventSpec]:
    """``escalated`` for a flag instance (the planner's)."""
    return escalated(level=level, reason=reason, missed=missed, key=key, **_identity(flag))
