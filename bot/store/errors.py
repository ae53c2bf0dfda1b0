"""Errors the store raises that callers are expected to handle."""


class StoreError(Exception):
    """Base class of store errors."""


class DuplicateConfirmation(StoreError):
    """This confirmation was already recorded: the order must not be placed again."""
