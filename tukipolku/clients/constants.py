"""Which client fields are the address that address protection (turvakielto) hides, and which can be edited."""

ADDRESS_FIELDS = ("street_address", "postal_code", "post_office", "municipality")
EDITABLE_FIELDS = ("first_names", "last_name", "language", "phone", "email", *ADDRESS_FIELDS, "address_protected")
