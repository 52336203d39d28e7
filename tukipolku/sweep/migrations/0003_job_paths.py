"""Background jobs are named the same way in every module (`jobs.py`, `<verb>_<noun>_task`): jobs already
enqueued in the database queue under the old path are moved to the new one, so the worker still finds them.
(With the Redis queue a job under the old path fails once; the sweep's next slot does the same work.)
"""

from django.db import migrations

OLD = "tukipolku.sweep.tasks.sweep"
NEW = "tukipolku.sweep.jobs.run_sweep_task"


def forwards(apps, schema_editor):
    task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    task_result.objects.filter(task_path=OLD).update(task_path=NEW)


def backwards(apps, schema_editor):
    task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    task_result.objects.filter(task_path=NEW).update(task_path=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("sweep", "0002_open_action_due_index"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
