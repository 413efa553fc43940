"""What every engagements service shares."""


def save(instance, **kwargs):
    instance.full_clean(**kwargs)
    instance.save()
    return instance


def assign(instance, fields: dict, editable) -> None:
    """Set ``fields`` on ``instance``; a field the service does not let change is a programming error."""
    for field, value in fields.items():
        if field not in editable:
            raise ValueError(field)
        setattr(instance, field, value)
