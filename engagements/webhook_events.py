"""What engagements tell other systems through webhooks: the payload ``data`` of its events (JSON, ids and names;
the receiver fetches more through the API)."""


def engagement_data(engagement) -> dict:
    client = engagement.client
    return {
        "engagement": {
            "id": engagement.pk,
            "name": engagement.name,
            "phase": engagement.phase,
            "kickoff_on": engagement.kickoff_on,
            "target_go_live_on": engagement.target_go_live_on,
        },
        "client": {"id": client.pk, "name": client.name},
    }
