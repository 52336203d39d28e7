"""Domain errors raised by services; views turn them into form errors or messages."""


class ApplicationError(Exception):
    """A rule of the domain refused the request. `message` is translated and shown to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ApplicationError):
    """Somebody else changed the object after this user loaded it (optimistic locking)."""
