# The client's right to the log report covers this many years; an earlier start needs a special reason.
REPORT_DEFAULT_YEARS = 2

# Access and disclosure log rows per page in the search.
LOG_PAGE_SIZE = 100

# Suspicious patterns: denied attempts within this many days, grouped by user.
DENIED_WINDOW_DAYS = 30
# From this many denied attempts a user is marked as probing repeatedly.
DENIED_REPEATED = 5

# Exceptional accesses shown per kind in the review queue.
REVIEW_QUEUE_LIMIT = 200

# Session keys: the client of the log search and of the report (internal ids only, never identity codes).
SESSION_REPORT = "oversight_report"
