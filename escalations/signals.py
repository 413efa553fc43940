"""Reactions to changes in the apps below: a staff absence re-plans the rota overrides of that person."""


def absence_changed(sender, instance, **kwargs):
    from .services.rota import rota_sync_absences

    rota_sync_absences(person_ids=[instance.user_id])
