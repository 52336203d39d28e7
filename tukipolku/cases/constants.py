# Access-log bases: on what grounds a read of client data was allowed.
BASIS_TEAM = "team_membership"
BASIS_CASE_TEAM = "case_team_membership"
BASIS_IDENTITY_CODE = "identity_code_lookup"
BASIS_EMERGENCY = "emergency_access"
BASIS_OWN_REGISTER = "own_register"
BASIS_PARTNER = "partner_consent"
BASIS_DENIED = "none"

# Follow-ups after closing appear in the owner's caseload this many days before they are due.
FOLLOW_UP_LEAD_DAYS = 28
# How many due follow-ups the caseload lists (the rest are counted).
FOLLOW_UP_CASELOAD_ROWS = 20
