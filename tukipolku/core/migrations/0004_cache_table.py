"""The shared cache's table (`CACHE_URL=dbcache://tukipolku_cache`, the default).

Failed-login counters and used authenticator codes live in the cache; every worker and host must see
the same counters (issue 9). The table is Django's database-cache table, created as
`manage.py createcachetable` would, whatever cache the settings name now (a later switch to
`dbcache://` needs no extra step); with Redis (`CACHE_URL=redis://…`) it simply stays empty.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "tukipolku_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_data_protection_officer")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
