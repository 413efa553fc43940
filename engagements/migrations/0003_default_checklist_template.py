"""Ship the default checklist template (data, not code: admins may edit or duplicate it).

The data is a frozen copy of the default as it was when this migration was written, so the migration gives the
same result whatever the live code says later (``checklists/default_template.py`` is the live definition; a test
keeps the two the same). Each stage: (title, client must accept, [items]); each item: (title, guidance, owner
side, default assignee role, due offset in days from kickoff, evidence required).
"""

from django.db import migrations

FROZEN_NAME = "Standard onboarding"
FROZEN_DESCRIPTION = "Scope and obligations, environments, documentation, quality assurance, work-plan acceptance."
FROZEN_STAGES = [
    (
        "Scope and obligations",
        True,
        [
            (
                "Confirm services in scope",
                "Walk through the contract's scope with the key user.",
                "vendor",
                "csm",
                3,
                "none",
            ),
            (
                "Share obligations of both sides",
                "List what each side has committed to, with dates.",
                "vendor",
                "csm",
                5,
                "link",
            ),
            (
                "Name the client's key user and sponsor",
                "One key user decides; one sponsor unblocks.",
                "client",
                "key_user",
                5,
                "none",
            ),
            (
                "Sign off the responsibility matrix",
                "RACI for the onboarding.",
                "client",
                "key_user",
                10,
                "file",
            ),
        ],
    ),
    (
        "Environments",
        False,
        [
            (
                "Grant VPN and system access",
                "Accounts for the delivery team.",
                "client",
                "key_user",
                7,
                "none",
            ),
            (
                "Set up test environment",
                "Mirror production configuration.",
                "vendor",
                "pm",
                14,
                "link",
            ),
            (
                "Confirm production access procedure",
                "Who approves changes, and how.",
                "client",
                "key_user",
                14,
                "none",
            ),
        ],
    ),
    (
        "Documentation",
        False,
        [
            (
                "Provide existing system documentation",
                "Architecture, runbooks, known issues.",
                "client",
                "key_user",
                10,
                "file",
            ),
            (
                "Write the operations handbook",
                "How we run the service day to day.",
                "vendor",
                "pm",
                21,
                "link",
            ),
        ],
    ),
    (
        "Quality assurance",
        False,
        [
            (
                "Agree acceptance criteria",
                "What 'done' means for each deliverable.",
                "vendor",
                "pm",
                14,
                "none",
            ),
            (
                "Provide test data",
                "Anonymised data for the test environment.",
                "client",
                "key_user",
                18,
                "file",
            ),
            (
                "Run the first end-to-end test",
                "Record results and defects.",
                "vendor",
                "pm",
                25,
                "file",
            ),
        ],
    ),
    (
        "Work-plan acceptance",
        True,
        [
            (
                "Present the work plan",
                "Milestones, dates and owners for the next quarter.",
                "vendor",
                "csm",
                25,
                "file",
            ),
            (
                "Accept the work plan",
                "The key user accepts in the portal.",
                "client",
                "key_user",
                30,
                "none",
            ),
        ],
    ),
]


def create_default_template(apps, schema_editor):
    ChecklistTemplate = apps.get_model("engagements", "ChecklistTemplate")
    TemplateStage = apps.get_model("engagements", "TemplateStage")
    TemplateItem = apps.get_model("engagements", "TemplateItem")
    if ChecklistTemplate.objects.filter(name=FROZEN_NAME).exists():
        return
    template = ChecklistTemplate.objects.create(
        name=FROZEN_NAME,
        description=FROZEN_DESCRIPTION,
        is_default=not ChecklistTemplate.objects.filter(is_default=True).exists(),
    )
    for stage_position, (title, acceptance, items) in enumerate(FROZEN_STAGES, start=1):
        stage = TemplateStage.objects.create(
            template=template,
            title=title,
            position=stage_position * 10,
            client_acceptance_required=acceptance,
        )
        for item_position, (item_title, guidance, side, role, offset, evidence) in enumerate(items, start=1):
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
    apps.get_model("engagements", "ChecklistTemplate").objects.filter(name=FROZEN_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("engagements", "0002_checklists_and_clients")]

    operations = [migrations.RunPython(create_default_template, remove_default_template)]
