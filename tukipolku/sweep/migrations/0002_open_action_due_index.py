"""A partial index on open plan actions' due date, for the sweep's "actions past due" step.

The index belongs to `plans_action`, but `plans` is another module's app: it is created here with
RunSQL (same SQL on PostgreSQL and SQLite) until the plans module declares it in its own Meta
(`models.Index(fields=["due_on"], condition=Q(status="open"), name="action_open_due")`); then this
migration becomes a no-op through `IF NOT EXISTS` / `IF EXISTS`.
With it the sweep reads only the open actions that are past due (an index range scan), so its time
grows with what is due, not with all open actions (docs/performance.md).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sweep", "0001_runs"),
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS action_open_due ON plans_action (due_on) WHERE status = 'open'",
            reverse_sql="DROP INDEX IF EXISTS action_open_due",
        ),
    ]
