"""Top-ups: a customer puts money in their wallet by bank transfer (VietQR, confirmed by a
bank-notification service) or Telegram Stars, each attempt a top-up with its own code.

The promises, on both engines:

* **One credit per payment.**  A top-up is paid once (its ledger credit is keyed
  `topup:{id}`), by one payment (`topups.payment` is unique), and a bank notification is
  recorded once per service transaction, so a notification retried for hours, concurrently or
  after a restart, credits nothing more.
* **Nothing is dropped.**  A transfer whose code matches nothing, or whose top-up expired or
  was canceled, is kept as unmatched for an admin to assign; Stars that Telegram took are
  always credited (a second payment of a top-up becomes a top-up of its own).
* **Exact.**  Amounts are `Decimal`; what is credited is what was received.

No Telegram here: handlers, the notifier and the payment endpoints call this.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.payments import vietqr
from bot.payments.transfers import IncomingTransfer, normalized
from bot.services.wallets import parse_amount
from bot.store.ledger import EntryKind, NewEntry
from bot.store.models import utcnow
from bot.store.store import Store
from bot.store.topups import (
    NewTopup,
    NewTransfer,
    Topup,
    TopupMethod,
    TopupState,
    Transfer,
    TransferState,
    UnmatchedReason,
)

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "AmountRefused",
    "BankAccount",
    "CheckoutRefusal",
    "Credit",
    "NotRefundable",
    "Received",
    "TopupRules",
    "TopupService",
    "TransferNotOpen",
]

# No 0/O, 1/I/L: a code read off a screen and typed into a banking app can't be misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 31 ** 8 ≈ 8.5 × 10^11: guessing another customer's pending code (each guess a real bank
# transfer) is hopeless.
CODE_LENGTH = 8
# Bank descriptions are short; a longer one is cut before looking for codes in it.
MAX_CONTENT = 400
MAX_STORED_CONTENT = 1000  # what is kept of it for the admins (a hostile body can't bloat the table)
STARS_CURRENCY = "XTR"
STARS_PER_INVOICE_MAX = 10_000  # Telegram's limit for one invoice


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def payment_key(topup_id: int) -> str:
    """The idempotency key of a top-up's one credit."""
    return f"topup:{topup_id}"


def refund_key(topup_id: int) -> str:
    return f"topup:{topup_id}:refund"


def invoice_payload(topup: Topup) -> str:
    return f"topup:{topup.id}"


def topup_id_of(payload: str) -> int | None:
    head, _, number = payload.partition(":")
    return int(number) if head == "topup" and number.isdigit() and len(number) < 19 else None


def candidate_codes(content: str, prefix: str) -> list[str]:
    """Every code-shaped run of the transfer content, those right after the prefix first.

    The code is looked for anywhere (banks prepend and append their own words and some strip
    punctuation and spaces), case- and space-insensitive."""
    text = normalized(content)[:MAX_CONTENT]
    after_prefix: list[str] = []
    anywhere: list[str] = []
    allowed = set(ALPHABET)
    for start in range(len(text) - CODE_LENGTH + 1):
        window = text[start : start + CODE_LENGTH]
        if not set(window) <= allowed:
            continue
        if text[max(0, start - len(prefix)) : start] == prefix:
            after_prefix.append(window)
        else:
            anywhere.append(window)
    return list(dict.fromkeys(after_prefix + anywhere))


class AmountRefused(ValueError):
    """`kind`: "invalid" (not an amount), "low" or "high" (outside TOPUP_MIN..TOPUP_MAX), "stars"
    (more than one Stars invoice can carry)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TransferNotOpen(Exception):
    """The transfer was assigned or dismissed already (or doesn't exist)."""


class NotRefundable(Exception):
    """Only a paid Stars top-up can be given back."""


class CheckoutRefusal(Exception):
    """Why a Stars payment must not go ahead; `key` names the message for the payer."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class BankAccount:
    bin: str
    account: str
    name: str

    @property
    def bank(self) -> str:
        return vietqr.bank_name(self.bin)


@dataclass(frozen=True)
class TopupRules:
    amounts: tuple[Decimal, ...]
    minimum: Decimal
    maximum: Decimal
    expiry: timedelta
    prefix: str
    bank: BankAccount | None
    stars_rate: Decimal | None
    decimals: int = 0

    @property
    def methods(self) -> list[TopupMethod]:
        found = []
        if self.bank is not None:
            found.append(TopupMethod.BANK)
        if self.stars_rate is not None:
            found.append(TopupMethod.STARS)
        return found


@dataclass(frozen=True)
class Credit:
    """Money that reached a wallet through a top-up; `created` is False for a retry."""

    topup: Topup
    amount: Decimal
    balance: Decimal
    created: bool


@dataclass(frozen=True)
class Received:
    """What one bank notification did: `duplicate` (recorded before: nothing), `ignored`
    (outgoing: nothing to credit), else its transfer and, when it paid a top-up, the credit."""

    duplicate: bool = False
    ignored: bool = False
    transfer: Transfer | None = None
    credit: Credit | None = None


class TopupService:
    def __init__(self, store: Store, rules: TopupRules, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._topups = store.topups
        self.rules = rules
        self._clock = clock

    @property
    def methods(self) -> list[TopupMethod]:
        return self.rules.methods

    # -- asking ---------------------------------------------------------------------------------
    def check_amount(self, text: str) -> Decimal:
        amount = parse_amount(text, self.rules.decimals)
        if amount is None:
            raise AmountRefused("invalid")
        self._in_range(amount)
        return amount

    def _in_range(self, amount: Decimal) -> None:
        if amount < self.rules.minimum:
            raise AmountRefused("low")
        if amount > self.rules.maximum:
            raise AmountRefused("high")

    def methods_for(self, amount: Decimal) -> list[TopupMethod]:
        """The ways to pay `amount`: Stars only up to what one invoice can carry."""
        return [
            method
            for method in self.methods
            if method is not TopupMethod.STARS or self.stars_for(amount) <= STARS_PER_INVOICE_MAX
        ]

    def stars_maximum(self) -> Decimal:
        """The largest amount one Stars invoice pays for (0 without Stars)."""
        return (self.rules.stars_rate or Decimal(0)) * STARS_PER_INVOICE_MAX

    def suggested(self, missing: Decimal) -> Decimal:
        """The top-up offered for `missing` money: that much, within the allowed range."""
        return min(max(missing, self.rules.minimum), self.rules.maximum)

    def stars_for(self, amount: Decimal) -> int:
        """⌈amount / rate⌉: the customer never pays fewer Stars than the amount is worth."""
        assert self.rules.stars_rate is not None
        return max(1, math.ceil(amount / self.rules.stars_rate))

    async def open(self, user_id: int, chat_id: int, amount: Decimal, method: TopupMethod) -> Topup:
        """A pending top-up with a fresh code; raises `AmountRefused` for an amount outside the
        range (the handler checked, but a forged button must not get past) and ValueError for
        a way to pay the owner didn't set up."""
        if method not in self.methods:
            raise ValueError(f"top-ups by {method} are not set up")
        self._in_range(amount)
        if method not in self.methods_for(amount):
            raise AmountRefused("stars")
        stars = self.stars_for(amount) if method is TopupMethod.STARS else None
        expires = self._clock() + self.rules.expiry
        return await self._topups.create(NewTopup(user_id, chat_id, method, amount, expires, stars), new_code)

    def transfer_content(self, topup: Topup) -> str:
        return f"{self.rules.prefix}{topup.code}"

    def vietqr(self, topup: Topup) -> tuple[str, bytes]:
        """The VietQR payload of a bank top-up and its PNG (made here, no image service)."""
        bank = self.rules.bank
        assert bank is not None
        payload = vietqr.payload(bank.bin, bank.account, topup.amount, self.transfer_content(topup))
        return payload, vietqr.png(payload)

    async def cancel(self, user_id: int, topup_id: int) -> Topup | None:
        """The customer gives up on a pending top-up; None when it isn't pending (or theirs)."""
        return await self._topups.move(
            topup_id, TopupState.CANCELED, only_from=[TopupState.PENDING], user_id=user_id
        )

    async def get(self, topup_id: int) -> Topup | None:
        return await self._topups.get(topup_id)

    # -- bank transfers -------------------------------------------------------------------------
    async def receive(self, incoming: IncomingTransfer) -> Received:
        """Record one reported transfer and credit the top-up its content names, in one
        transaction: the transfer, the top-up's new state and the ledger credit land together
        or not at all (the service retries what we didn't answer 200)."""
        if not incoming.incoming or incoming.amount <= 0:
            return Received(ignored=True)
        new = NewTransfer(
            incoming.source,
            incoming.transaction_id,
            incoming.amount,
            incoming.content[:MAX_STORED_CONTENT],
            incoming.account,
            incoming.reference,
            incoming.happened_at,
        )
        async with self._store.db.write() as conn:
            transfer_id = await self._topups.record_transfer(new, conn=conn)
            if transfer_id is None:
                return Received(duplicate=True)
            codes = candidate_codes(incoming.content, self.rules.prefix)
            found = {topup.code: topup for topup in await self._topups.by_codes(codes, conn=conn)}
            topup = next((found[code] for code in codes if code in found), None)
            reason = self._unpayable(topup)
            if topup is None or reason is not None:
                transfer = await self._topups.settle_transfer(
                    transfer_id, TransferState.UNMATCHED, reason=reason or UnmatchedReason.NO_CODE, conn=conn
                )
                return Received(transfer=transfer)
            payment = f"{incoming.source}:{incoming.transaction_id}"
            credit = await self._credit(conn, topup, incoming.amount, payment)
            transfer = await self._topups.settle_transfer(
                transfer_id, TransferState.CREDITED, topup_id=topup.id, conn=conn
            )
        return Received(transfer=transfer, credit=credit)

    def _unpayable(self, topup: Topup | None) -> UnmatchedReason | None:
        if topup is None:
            return UnmatchedReason.NO_CODE
        if topup.state is TopupState.PENDING:
            return UnmatchedReason.EXPIRED if topup.expires_at <= self._clock() else None
        return {
            TopupState.EXPIRED: UnmatchedReason.EXPIRED,
            TopupState.CANCELED: UnmatchedReason.CANCELED,
        }.get(topup.state, UnmatchedReason.ALREADY_PAID)

    async def _credit(
        self, conn: AsyncConnection, topup: Topup, amount: Decimal, payment: str, *, by: int | None = None
    ) -> Credit:
        """Book the top-up's one credit and mark it paid, in the caller's transaction."""
        entry = NewEntry(
            topup.user_id, EntryKind.TOPUP, amount, payment_key(topup.id), f"topup:{topup.id}", payment
        )
        booking = await self._store.wallets.book(entry, conn=conn)
        paid = await self._topups.mark_paid(topup.id, amount, payment, conn=conn, assigned_by=by)
        return Credit(paid, amount, booking.entry.balance_after, booking.created)

    async def unmatched(self, limit: int = 10) -> list[Transfer]:
        return await self._topups.transfers_in(TransferState.UNMATCHED, limit)

    async def count_unmatched(self) -> int:
        return await self._topups.count_transfers(TransferState.UNMATCHED)

    async def transfer(self, transfer_id: int) -> Transfer | None:
        return await self._topups.transfer(transfer_id)

    async def assign(
        self, transfer_id: int, user_id: int, *, by_admin: int, chat_id: int | None = None
    ) -> Credit:
        """An admin credits an unmatched transfer to a customer: a top-up of its own is made
        for it (paid by that transfer), so every credit stays one top-up's one credit.
        Raises `TransferNotOpen` when it was assigned or dismissed meanwhile."""
        async with self._store.db.write() as conn:
            transfer = await self._topups.transfer(transfer_id, conn=conn, lock=True)
            if transfer is None or transfer.state is not TransferState.UNMATCHED:
                raise TransferNotOpen(str(transfer_id))
            now = self._clock()
            new = NewTopup(user_id, chat_id or user_id, TopupMethod.ASSIGNED, transfer.amount, now)
            topup = await self._topups.create(new, new_code, conn=conn)
            payment = f"{transfer.source}:{transfer.transaction_id}"
            credit = await self._credit(conn, topup, transfer.amount, payment, by=by_admin)
            await self._topups.settle_transfer(
                transfer_id, TransferState.ASSIGNED, topup_id=topup.id, handled_by=by_admin, conn=conn
            )
        return credit

    async def dismiss(self, transfer_id: int, *, by_admin: int) -> Transfer:
        """Not a customer's money (the owner's own, a refund from a supplier): kept, not owed."""
        async with self._store.db.write() as conn:
            transfer = await self._topups.transfer(transfer_id, conn=conn, lock=True)
            if transfer is None or transfer.state is not TransferState.UNMATCHED:
                raise TransferNotOpen(str(transfer_id))
            return await self._topups.settle_transfer(
                transfer_id, TransferState.DISMISSED, reason=transfer.reason, handled_by=by_admin, conn=conn
            )

    # -- Telegram Stars -------------------------------------------------------------------------
    async def check_checkout(self, user_id: int, payload: str, currency: str, total: int) -> Topup:
        """Whether Telegram may take this payment: a pending Stars top-up of this user for
        exactly this many Stars.  Raises `CheckoutRefusal`."""
        topup_id = topup_id_of(payload)
        topup = None if topup_id is None else await self._topups.get(topup_id)
        if topup is None or topup.user_id != user_id or topup.method is not TopupMethod.STARS:
            raise CheckoutRefusal("topup_checkout_unknown")
        if topup.state is not TopupState.PENDING or topup.expires_at <= self._clock():
            raise CheckoutRefusal("topup_checkout_closed")
        if currency != STARS_CURRENCY or total != topup.stars:
            raise CheckoutRefusal("topup_checkout_amount")
        return topup

    async def stars_paid(
        self, user_id: int, chat_id: int, payload: str, currency: str, total: int, charge_id: str
    ) -> Credit:
        """Credit Stars Telegram took, exactly once per `charge_id`.

        The top-up is paid if it still waits (even past its time: Telegram took the Stars after
        our pre-checkout said yes); if something paid it first, the payment becomes a top-up
        of its own.  A replayed charge returns the first credit (`created` False)."""
        payment = f"stars:{charge_id}"
        async with self._store.db.write() as conn:
            done = await self._topups.by_payment(payment, conn=conn)
            if done is not None:
                assert done.credited is not None
                balance = await self._store.wallets.balance_in(done.user_id, conn=conn)
                return Credit(done, done.credited, balance, created=False)
            topup_id = topup_id_of(payload)
            topup = None if topup_id is None else await self._topups.get(topup_id, conn=conn, lock=True)
            usable = (
                topup is not None
                and topup.user_id == user_id
                and topup.method is TopupMethod.STARS
                and topup.state in (TopupState.PENDING, TopupState.EXPIRED, TopupState.CANCELED)
                and topup.stars == total
            )
            if topup is None or not usable:
                amount = self._stars_value(total)
                new = NewTopup(user_id, chat_id, TopupMethod.STARS, amount, self._clock(), total)
                topup = await self._topups.create(new, new_code, conn=conn)
            return await self._credit(conn, topup, topup.amount, payment)

    def _stars_value(self, stars: int) -> Decimal:
        """What `stars` are worth in the shop currency, rounded down to its places."""
        rate = self.rules.stars_rate or Decimal(0)
        step = Decimal(1).scaleb(-self.rules.decimals)
        return (rate * stars).quantize(step, rounding=ROUND_FLOOR)

    async def refund_stars(self, topup_id: int, *, by_admin: int) -> Topup:
        """Take a Stars top-up's credit back from the wallet before Telegram gives the Stars
        back (the caller calls `refundStarPayment` next).  Raises `InsufficientFunds` while
        the wallet no longer holds the money, `NotRefundable` for anything but a paid Stars
        top-up.  A top-up refunded before is returned as it is (retrying the Telegram call is
        then safe: Telegram refuses a charge refunded twice)."""
        async with self._store.db.write() as conn:
            topup = await self._topups.get(topup_id, conn=conn, lock=True)
            if topup is None or topup.method is not TopupMethod.STARS or self.charge_id(topup) is None:
                raise NotRefundable(str(topup_id))  # no Stars charge to give back (a bank transfer paid it)
            if topup.state is TopupState.REFUNDED:
                return topup
            if topup.state is not TopupState.PAID or topup.credited is None:
                raise NotRefundable(str(topup_id))
            entry = NewEntry(
                topup.user_id,
                EntryKind.TOPUP_REFUND,
                -topup.credited,
                refund_key(topup.id),
                f"topup:{topup.id}",
                f"admin:{by_admin}",
            )
            await self._store.wallets.book(entry, conn=conn)
            moved = await self._topups.move(
                topup.id, TopupState.REFUNDED, only_from=[TopupState.PAID], conn=conn
            )
            assert moved is not None
            return moved

    @staticmethod
    def charge_id(topup: Topup) -> str | None:
        return (
            topup.payment.removeprefix("stars:")
            if topup.payment and topup.payment.startswith("stars:")
            else None
        )

    # -- time and telling -----------------------------------------------------------------------
    async def expire_due(self) -> list[Topup]:
        return await self._topups.expire_due(self._clock())

    async def claim_telling(self, topup: Topup) -> bool:
        return await self._topups.claim_telling(topup.id, topup.state)

    async def unclaim_telling(self, topup: Topup) -> None:
        await self._topups.unclaim_telling(topup.id, topup.state)

    async def untold(self) -> list[Topup]:
        return await self._topups.untold()

    async def balance(self, user_id: int) -> Decimal:
        return await self._store.wallets.balance(user_id)

    async def listing(self, limit: int = 10) -> tuple[list[Topup], list[Topup], list[Transfer]]:
        """For admins' /topups: pending, recently paid, and transfers waiting for them."""
        pending = await self._topups.listing([TopupState.PENDING], limit)
        paid = await self._topups.listing([TopupState.PAID, TopupState.REFUNDED], limit)
        return pending, paid, await self.unmatched(limit)
