# Follow-ups after closing appear in the owner's caseload this many days before they are due.
FOLLOW_UP_LEAD_DAYS = 28
# How many due follow-ups the caseload lists (the rest are counted).
FOLLOW_UP_CASELOAD_ROWS = 20
