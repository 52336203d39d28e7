"""Ships the Satakunta 9-step team process and the Eura team model as published version 1."""

from django.db import migrations


def load(apps, schema_editor):
    from tukipolku.pathways.loader import FIRST_CODES, load_pathways

    load_pathways(
        apps.get_model("pathways", "Pathway"),
        apps.get_model("pathways", "PathwayVersion"),
        apps.get_model("pathways", "PathwayStep"),
        codes=FIRST_CODES,
    )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
