"""Errors the store raises that callers are expected to handle."""


class StoreError(Exception):
    """Base class of store errors."""


class DuplicateConfirmation(StoreError):
    """This confirmation was already recorded: the order must not be placed again."""


class DuplicatePanelOrder(StoreError):
    """That panel order ID already belongs to another order: attaching it twice would make
    two customers the owners of one panel order."""

    def __init__(self, panel_order_id: int) -> None:
        super().__init__(f"panel order {panel_order_id} is already recorded")
        self.panel_order_id = panel_order_id


class DatabaseUnusable(StoreError):
    """The database file can't be used at all (damaged, unreadable, not a database): the bot
    can't run without it.  The message is one line for the operator: which file, what is
    wrong, and what to do about it."""

    def __init__(self, path: str, reason: str, *, damaged: bool) -> None:
        if damaged:
            advice = "restore it from a backup, or move it aside to start with an empty database"
            message = f"the database file {path} is damaged ({reason}): {advice}"
        else:
            advice = "check the path and its permissions"
            message = f"could not open the database file {path} ({reason}): {advice}"
        super().__init__(message)
        self.path = path
        self.damaged = damaged
