"""The checklist models, moved here from engagements. Their tables were renamed by
``engagements/migrations/0008_checklists_move_to_own_app.py``; this migration only declares the models (no
database change) and renames their content types, so that existing ``Reminder`` and ``Notification`` rows
(generic relations) and permissions still find their targets. It runs before ``post_migrate`` could create
``checklists`` content types of its own."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = [
    "checklisttemplate",
    "templatestage",
    "templateitem",
    "checkliststage",
    "checklistitem",
    "itemcomment",
    "itemevent",
    "stageacceptance",
    "satisfactionscore",
    "stageactual",
]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    # A type already created under the new label (never by migrate itself) would make the rename collide.
    ContentType.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def content_types_forwards(apps, schema_editor):
    _relabel(apps, "engagements", "checklists")


def content_types_backwards(apps, schema_editor):
    _relabel(apps, "checklists", "engagements")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("attachments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagements", "0008_checklists_move_to_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                    migrations.CreateModel(
                        name='ChecklistStage',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('title', models.CharField(max_length=200, verbose_name='title')),
                            ('description', models.TextField(blank=True, verbose_name='description')),
                            ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                            ('acceptance_required', models.BooleanField(default=False, verbose_name='client must accept')),
                            ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                            ('reopened_at', models.DateTimeField(blank=True, null=True, verbose_name='reopened at')),
                            ('reopened_reason', models.TextField(blank=True, verbose_name='reason the client gave')),
                            ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stages', to='engagements.engagement')),
                        ],
                        options={
                            'verbose_name': 'checklist stage',
                            'verbose_name_plural': 'checklist stages',
                            'ordering': ['position', 'pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='ChecklistItem',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('title', models.CharField(max_length=300, verbose_name='title')),
                            ('guidance', models.TextField(blank=True, verbose_name='guidance')),
                            ('owner_side', models.CharField(choices=[('vendor', 'Vendor'), ('client', 'Client')], default='vendor', max_length=10, verbose_name='owner side')),
                            ('due_on', models.DateField(blank=True, null=True, verbose_name='due date')),
                            ('due_from', models.CharField(blank=True, choices=[('kickoff', 'Kickoff'), ('contract', 'Contract signature')], max_length=10, verbose_name='due date counts from')),
                            ('due_offset_days', models.IntegerField(blank=True, null=True, verbose_name='due offset in days')),
                            ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('blocked', 'Blocked'), ('done', 'Done'), ('not_applicable', 'Not applicable')], default='open', max_length=20, verbose_name='status')),
                            ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                            ('evidence_required', models.CharField(choices=[('none', 'None'), ('link', 'Link'), ('file', 'File')], default='none', max_length=10, verbose_name='evidence required')),
                            ('evidence_link', models.URLField(blank=True, max_length=500, verbose_name='evidence link')),
                            ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                            ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                            ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checklist_items', to=settings.AUTH_USER_MODEL, verbose_name='assignee')),
                            ('completed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='completed by')),
                            ('evidence_file', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='attachments.attachment', verbose_name='evidence file')),
                            ('stage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='checklists.checkliststage')),
                        ],
                        options={
                            'verbose_name': 'checklist item',
                            'verbose_name_plural': 'checklist items',
                            'ordering': ['position', 'pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='ChecklistTemplate',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                            ('description', models.TextField(blank=True, verbose_name='description')),
                            ('is_default', models.BooleanField(default=False, verbose_name='default')),
                            ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ],
                        options={
                            'verbose_name': 'checklist template',
                            'verbose_name_plural': 'checklist templates',
                            'ordering': ['-is_default', 'name'],
                            'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='one_default_template')],
                        },
                    ),
                    migrations.CreateModel(
                        name='ItemComment',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('body', models.TextField(verbose_name='comment')),
                            ('is_internal', models.BooleanField(default=False, verbose_name='internal (vendor only)')),
                            ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                            ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='checklists.checklistitem')),
                        ],
                        options={
                            'verbose_name': 'comment',
                            'verbose_name_plural': 'comments',
                            'ordering': ['created_at', 'pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='ItemEvent',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('action', models.CharField(max_length=30, verbose_name='action')),
                            ('changes', models.JSONField(blank=True, default=dict, verbose_name='changes')),
                            ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                            ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='checklists.checklistitem')),
                        ],
                        options={
                            'verbose_name': 'item event',
                            'verbose_name_plural': 'item events',
                            'ordering': ['at', 'pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='StageAcceptance',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('decision', models.CharField(choices=[('accepted', 'Accepted'), ('rejected', 'Rejected')], max_length=10, verbose_name='decision')),
                            ('reason', models.TextField(blank=True, verbose_name='reason')),
                            ('decided_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='decided at')),
                            ('snapshot', models.JSONField(default=dict, verbose_name='version decided on')),
                            ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='acceptances', to='engagements.engagement')),
                            ('stage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='acceptances', to='checklists.checkliststage')),
                        ],
                        options={
                            'verbose_name': 'acceptance',
                            'verbose_name_plural': 'acceptances',
                            'ordering': ['-decided_at', '-pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='SatisfactionScore',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('reason', models.CharField(choices=[('acceptance', 'After an acceptance'), ('day30', '30 days after kickoff')], max_length=20, verbose_name='asked')),
                            ('score', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='score')),
                            ('comment', models.TextField(blank=True, verbose_name='comment')),
                            ('asked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='asked at')),
                            ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                            ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='satisfaction_scores', to='engagements.engagement')),
                            ('acceptance', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='satisfaction', to='checklists.stageacceptance')),
                        ],
                        options={
                            'verbose_name': 'satisfaction score',
                            'verbose_name_plural': 'satisfaction scores',
                            'ordering': ['-asked_at', '-pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='StageActual',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('spent_on', models.DateField(verbose_name='date')),
                            ('effort_days', models.DecimalField(decimal_places=1, default=0, max_digits=9, verbose_name='effort (person-days)')),
                            ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='amount')),
                            ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                            ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                            ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                            ('stage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actuals', to='checklists.checkliststage')),
                        ],
                        options={
                            'verbose_name': 'actuals entry',
                            'verbose_name_plural': 'actuals entries',
                            'ordering': ['-spent_on', '-pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='TemplateStage',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('title', models.CharField(max_length=200, verbose_name='title')),
                            ('description', models.TextField(blank=True, verbose_name='description')),
                            ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                            ('client_acceptance_required', models.BooleanField(default=False, verbose_name='client must accept')),
                            ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stages', to='checklists.checklisttemplate')),
                        ],
                        options={
                            'verbose_name': 'template stage',
                            'verbose_name_plural': 'template stages',
                            'ordering': ['position', 'pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='TemplateItem',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('title', models.CharField(max_length=300, verbose_name='title')),
                            ('guidance', models.TextField(blank=True, verbose_name='guidance')),
                            ('owner_side', models.CharField(choices=[('vendor', 'Vendor'), ('client', 'Client')], default='vendor', max_length=10, verbose_name='owner side')),
                            ('default_assignee_role', models.CharField(blank=True, choices=[('', 'Nobody (assign later)'), ('csm', 'CSM'), ('pm', 'PM'), ('key_user', 'Client key user')], default='', max_length=20, verbose_name='default assignee')),
                            ('due_offset_days', models.IntegerField(default=7, verbose_name='due (days after)')),
                            ('due_from', models.CharField(choices=[('kickoff', 'Kickoff'), ('contract', 'Contract signature')], default='kickoff', max_length=10, verbose_name='counted from')),
                            ('evidence_required', models.CharField(choices=[('none', 'None'), ('link', 'Link'), ('file', 'File')], default='none', max_length=10, verbose_name='evidence required')),
                            ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                            ('stage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='checklists.templatestage')),
                        ],
                        options={
                            'verbose_name': 'template item',
                            'verbose_name_plural': 'template items',
                            'ordering': ['position', 'pk'],
                        },
                    ),
                    migrations.AddIndex(
                        model_name='checklistitem',
                        index=models.Index(condition=models.Q(('status__in', ['done', 'not_applicable']), _negated=True), fields=['due_on'], name='checklist_item_open_due'),
                    ),
                    migrations.AddConstraint(
                        model_name='stageacceptance',
                        constraint=models.CheckConstraint(condition=models.Q(('decision', 'accepted'), models.Q(('reason', ''), _negated=True), _connector='OR'), name='rejection_needs_reason'),
                    ),
                    migrations.AddConstraint(
                        model_name='satisfactionscore',
                        constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 1), ('score__lte', 5)), _connector='OR'), name='satisfaction_score_1_to_5'),
                    ),
                    migrations.AddConstraint(
                        model_name='satisfactionscore',
                        constraint=models.UniqueConstraint(condition=models.Q(('reason', 'day30')), fields=('engagement',), name='satisfaction_day30_once'),
                    ),
                    migrations.AddConstraint(
                        model_name='stageactual',
                        constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0), ('effort_days__gte', 0), models.Q(('effort_days__gt', 0), ('amount__gt', 0), _connector='OR')), name='stage_actual_positive', violation_error_message='Enter the effort or the amount spent (zero or more, not both zero).'),
                    ),
    
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
