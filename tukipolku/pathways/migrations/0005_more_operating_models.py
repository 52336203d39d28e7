"""Ships four more operating models as published version 1: the Rauma study-end transition, the
escorted handover (saattaen vaihtaen), IPS job coaching and the unemployed person's health check.

Pathways that exist already (by code) are left as they are, so the migration can run again safely and
never touches Satakunta, Eura or a pathway an administrator has changed.
"""

from django.db import migrations


def load(apps, schema_editor):
    from tukipolku.pathways.loader import MORE_CODES, load_pathways

    load_pathways(
        apps.get_model("pathways", "Pathway"),
        apps.get_model("pathways", "PathwayVersion"),
        apps.get_model("pathways", "PathwayStep"),
        codes=MORE_CODES,
    )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0004_data_protection_officer")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
