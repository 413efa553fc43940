"""What every engagements service shares."""


def save(instance, **kwargs):
    instance.full_clean(**kwargs)
    instance.save()
    return instance
