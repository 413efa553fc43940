"""Ship the default checklist template (data, not code: admins may edit or duplicate it)."""

from django.db import migrations

from engagements.default_template import DEFAULT_STAGES, DEFAULT_TEMPLATE_NAME


def create_default_template(apps, schema_editor):
    ChecklistTemplate = apps.get_model("engagements", "ChecklistTemplate")
    TemplateStage = apps.get_model("engagements", "TemplateStage")
    TemplateItem = apps.get_model("engagements", "TemplateItem")
    if ChecklistTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME).exists():
        return
    template = ChecklistTemplate.objects.create(
        name=DEFAULT_TEMPLATE_NAME,
        description="Scope and obligations, environments, documentation, quality assurance, work-plan acceptance.",
        is_default=not ChecklistTemplate.objects.filter(is_default=True).exists(),
    )
    for stage_position, (title, acceptance, items) in enumerate(
        DEFAULT_STAGES, start=1
    ):
        stage = TemplateStage.objects.create(
            template=template,
            title=title,
            position=stage_position * 10,
            client_acceptance_required=acceptance,
        )
        for item_position, (
            item_title,
            guidance,
            side,
            role,
            offset,
            evidence,
        ) in enumerate(items, start=1):
            TemplateItem.objects.create(
                stage=stage,
                title=item_title,
                guidance=guidance,
                owner_side=side,
                default_assignee_role=role,
                due_offset_days=offset,
                evidence_required=evidence,
                position=item_position * 10,
            )


def remove_default_template(apps, schema_editor):
    apps.get_model("engagements", "ChecklistTemplate").objects.filter(
        name=DEFAULT_TEMPLATE_NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("engagements", "0002_checklists_and_clients")]

    operations = [
        migrations.RunPython(create_default_template, remove_default_template)
    ]
