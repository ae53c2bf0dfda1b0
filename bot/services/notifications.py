"""What each user must be told about their orders and refills, exactly once.

Nothing is kept in memory: a notice is pending while the stored status differs
from the stored `notified_status`, so a restart between a status change and
its message loses nothing and repeats nothing. The sender marks a notice as
delivered only after Telegram accepted it; a transient failure leaves it
pending for the next cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.panel.models import OrderStatusKind, RefillStatusKind
from bot.services.wallets import WalletService
from bot.store import Store
from bot.store.ledger import LedgerEntry
from bot.store.models import OrderRecord, RefillRecord


class NoticeKind(StrEnum):
    """What a user is told; an order notice's value is the stored status it is told for."""

    STARTED = OrderStatusKind.IN_PROGRESS.value
    COMPLETED = OrderStatusKind.COMPLETED.value
    PARTIAL = OrderStatusKind.PARTIAL.value
    CANCELED = OrderStatusKind.CANCELED.value
    REFUNDED = OrderStatusKind.REFUNDED.value  # said as what it is, not "canceled"
    # A restart cut off `add`: the owner must check before ordering again.
    UNKNOWN = OrderStatusKind.UNKNOWN.value
    # An admin settled an order of unknown outcome (/unknown): it was placed after all (and is
    # tracked from now on), or it was not placed.
    SETTLED_PLACED = OrderStatusKind.PENDING.value
    SETTLED_NOT_PLACED = OrderStatusKind.FAILED.value
    REFILL_COMPLETED = f"refill:{RefillStatusKind.COMPLETED.value}"
    REFILL_REJECTED = f"refill:{RefillStatusKind.REJECTED.value}"


ORDER_NOTICES = {
    k.value: k
    for k in (
        NoticeKind.STARTED,
        NoticeKind.COMPLETED,
        NoticeKind.PARTIAL,
        NoticeKind.CANCELED,
        NoticeKind.REFUNDED,
        NoticeKind.UNKNOWN,
        NoticeKind.SETTLED_PLACED,
        NoticeKind.SETTLED_NOT_PLACED,
    )
}
REFILL_NOTICES = {
    RefillStatusKind.COMPLETED.value: NoticeKind.REFILL_COMPLETED,
    RefillStatusKind.REJECTED.value: NoticeKind.REFILL_REJECTED,
}


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    order: OrderRecord
    refill: RefillRecord | None = None
    # The shop: what this outcome gave back to the customer's wallet (its entry carries the
    # amount and the balance it left), booked before the notice is rendered.
    refund: LedgerEntry | None = None

    @property
    def user_id(self) -> int:
        return self.order.user_id

    @property
    def at_owners_request(self) -> bool:
        """A canceled (or refunded) order whose owner had asked the panel to cancel it:
        said as done at their request, not as the panel's own doing."""
        return (
            self.refill is None
            and self.kind in (NoticeKind.CANCELED, NoticeKind.REFUNDED)
            and self.order.cancel_requested
        )

    @property
    def chat_id(self) -> int:
        return self.order.chat_id


class NotificationService:
    def __init__(self, store: Store, wallet: WalletService | None = None) -> None:
        self._store = store
        self._wallet = wallet

    async def pending(self, limit: int = 5000) -> list[Notice]:
        """Notices not yet delivered, oldest first, for users who have not blocked the bot.

        A wallet-paid order's refund is booked here if the tracking cycle hasn't yet (booking
        is idempotent), so a notice never says money went back before it did."""
        orders = await self._store.orders.orders_to_notify(tuple(ORDER_NOTICES), limit)
        notices = [Notice(ORDER_NOTICES[o.status], o, refund=await self._refund(o)) for o in orders]
        for refill, order in await self._store.refills.refills_to_notify(tuple(REFILL_NOTICES), limit):
            notices.append(Notice(REFILL_NOTICES[refill.status], order, refill))
        return notices

    async def _refund(self, order: OrderRecord) -> LedgerEntry | None:
        if self._wallet is None or order.price is None:
            return None
        booking = await self._wallet.refund_for(order)
        return None if booking is None else booking.entry

    async def delivered(self, notice: Notice) -> None:
        if notice.refill is not None:
            await self._store.refills.set_refill_notified(notice.refill.id, notice.refill.status)
        else:
            await self._store.orders.set_order_notified(notice.order.id, notice.order.status)

    async def language_of(self, user_id: int) -> tuple[str | None, str | None]:
        """(chosen language, Telegram client language) for rendering a notice."""
        user = await self._store.users.get_user(user_id)
        return (user.language, user.telegram_language) if user else (None, None)
