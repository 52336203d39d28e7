"""The escorted handover's transfer meeting step no longer asks for a meeting record of the team.

The seed describes the transfer meeting as part of the handover: the sending side records it (the
employee's own view, the work ability score, the receiving nurse) and acceptance marks the step done.
A `joint_meeting` check made the team record the same meeting again before the step could be done,
so acceptance stopped at it. Every installed version of the shipped step gets the data file's check.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from tukipolku.pathways.loader import set_handover_step_checks

    set_handover_step_checks(apps.get_model("pathways", "PathwayStep"), was="joint_meeting")


def backwards(apps, schema_editor):
    apps.get_model("pathways", "PathwayStep").objects.filter(
        handover_role="transfer_meeting", completion_check="none"
    ).update(completion_check="joint_meeting")


class Migration(migrations.Migration):

    dependencies = [
        ("pathways", "0007_pathway_region"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
