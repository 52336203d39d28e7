"""The episode keeps its current contact person and its last activity, so that the sweep finds the
episodes with none, or with none for long, on an index instead of reading every open episode
(ADR 0019). Both are filled here from their sources (the same SQL on PostgreSQL and SQLite)."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models

FILL = """
UPDATE cases_episode SET
    contact_person_id = (
        SELECT a.user_id FROM cases_assignment a
        WHERE a.episode_id = cases_episode.id AND a.kind = 'contact_person' AND a.ended_at IS NULL
        LIMIT 1
    ),
    last_activity_at = COALESCE(
        (SELECT max(ev.occurred_at) FROM audit_auditevent ev WHERE ev.episode_id = cases_episode.id),
        opened_at
    )
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_pathway_correction'),
        ('audit', '0009_pathway_correction'),
        ('clients', '0002_client_details'),
        ('core', '0005_organisation_region'),
        ('pathways', '0010_handover_reasons'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='episode',
            name='contact_person',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='contact person'),
        ),
        migrations.AddField(
            model_name='episode',
            name='last_activity_at',
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False, verbose_name='last activity'),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('contact_person__isnull', True), ('status', 'open')), fields=['opened_at'], name='episode_open_no_contact'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('status', 'open')), fields=['last_activity_at'], name='episode_open_activity'),
        ),
    ]
