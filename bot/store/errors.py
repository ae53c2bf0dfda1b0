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
    """The database can't be used at all (a damaged or unreadable file, a server that can't be
    reached or refuses us): the bot can't run without it.  The message is one line for the
    operator: which database (never its password), what is wrong, and what to do about it."""

    def __init__(self, path: str, reason: str, *, damaged: bool, server: bool = False) -> None:
        if server:
            advice = "check DATABASE_URL, and that the server is running and accepts this user"
            message = f"could not use the database {path} ({reason}): {advice}"
        elif damaged:
            advice = "restore it from a backup, or move it aside to start with an empty database"
            message = f"the database file {path} is damaged ({reason}): {advice}"
        else:
            advice = "check the path and its permissions"
            message = f"could not open the database file {path} ({reason}): {advice}"
        super().__init__(message)
        self.path = path
        self.damaged = damaged
