RESOURCE = "need_notification"
"""The `resource` of access-log rows and disclosures about a notification of need."""

DECIDED_SHOWN = 20
"""How many recently decided notifications the intake queue lists under the waiting ones."""
