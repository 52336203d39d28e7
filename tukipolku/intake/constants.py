# Access-log bases of notification reads (cases/constants.py has the gate's own).
BASIS_SENDER = "intake_sender"
"""The professional who sent the notification reads its status and the client's name."""
BASIS_TEAM = "intake_team"
"""An active member of the receiving team reads the whole notification."""

RESOURCE = "need_notification"
"""The `resource` of access-log rows and disclosures about a notification of need."""

DECIDED_SHOWN = 20
"""How many recently decided notifications the intake queue lists under the waiting ones."""
