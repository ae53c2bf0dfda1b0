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
