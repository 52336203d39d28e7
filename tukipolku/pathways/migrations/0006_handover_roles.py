"""What an escorted handover covers becomes pathway data: the pathway it opens and the part each step plays.

The shipped escorted handover pathway and the three steps a handover does are marked in every existing version
(from data/pathways.json), so handovers keep completing them after the code no longer names them.
"""

from django.db import migrations, models


def set_roles(apps, schema_editor):
    from tukipolku.pathways.loader import set_handover_roles

    set_handover_roles(apps.get_model("pathways", "Pathway"), apps.get_model("pathways", "PathwayStep"))


class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0005_more_operating_models'),
    ]

    operations = [
        migrations.AddField(
            model_name='pathway',
            name='opened_by_handover',
            field=models.BooleanField(default=False, help_text="An accepted escorted handover opens the client's episode on this pathway. One pathway at most.", verbose_name='opened by escorted handovers'),
        ),
        migrations.AddField(
            model_name='pathwaystep',
            name='handover_role',
            field=models.CharField(blank=True, choices=[('', 'Not part of the handover'), ('opening', 'The handover was opened and the person agreed'), ('preparatory_meeting', 'The preparatory meeting was held'), ('transfer_meeting', 'The transfer meeting was held')], default='', help_text='When a handover opens an episode on this pathway, the first steps whose part the handover already did are marked done. At most one step of a version for each part.', max_length=30, verbose_name='done by an escorted handover'),
        ),
        migrations.RunPython(set_roles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='pathway',
            constraint=models.UniqueConstraint(condition=models.Q(('opened_by_handover', True)), fields=('opened_by_handover',), name='pathway_one_opened_by_handover', violation_error_message='Another pathway is already opened by escorted handovers.'),
        ),
        migrations.AddConstraint(
            model_name='pathwaystep',
            constraint=models.UniqueConstraint(condition=models.Q(('handover_role', ''), _negated=True), fields=('version', 'handover_role'), name='pathway_step_handover_role_unique', violation_error_message='Another step of this version already has this part of the handover.'),
        ),
    ]
