"""Property test of top-ups through `TopupService` and the real store (no Telegram, no HTTP):
random sequences of bank and Stars top-ups opened by three customers, bank notifications
(SePay or Casso) naming a top-up's code under the noise banks add (case, spaces and dashes
inside the code, words around it, the prefix missing) or naming none, for the amount asked
or another, incoming or outgoing, delivered once or several times at once from two stores
(two processes), re-delivered later (again sometimes at once); customers canceling (their
own top-up or someone else's), time passing and the expiry sweep, Stars paid (a new charge
or a replayed one, for a pending, expired, canceled or paid top-up, for the right number of
Stars or not, by the owner or not), admins assigning or dismissing unmatched transfers
(twice, sometimes racing), and Stars top-ups refunded — checked after every step against a
model:

* the audit finds nothing;
* each (source, transaction id) credits at most once, however often it was delivered; an
  outgoing (or zero) notification credits nothing and records nothing;
* each customer's top-up credits in the ledger = the sum of `credited` over their paid and
  refunded top-ups; in all, what was credited = the distinct transfers credited or assigned
  plus the distinct Stars charges (from the model);
* each wallet's balance = the sum of its ledger = the model's, and ≥ 0;
* a canceled or expired top-up is never credited by a transfer, and a transfer naming a
  pending, unexpired top-up credits it with exactly the amount received.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from bot.payments.transfers import IncomingTransfer
from bot.services.audit import audit
from bot.services.topups import (
    ALPHABET,
    CODE_LENGTH,
    BankAccount,
    Credit,
    NotRefundable,
    Received,
    TopupRules,
    TopupService,
    TransferNotOpen,
    candidate_codes,
)
from bot.store import Store
from bot.store.ledger import EntryKind, InsufficientFunds
from bot.store.models import utcnow
from bot.store.topups import Topup, TopupMethod, TopupState, Transfer, TransferState, UnmatchedReason

T = TypeVar("T")
PREFIX = "NAP"
STARS_RATE = Decimal(250)  # shop currency (VND) per Star
EXPIRY = timedelta(minutes=30)
RULES = TopupRules(
    amounts=(Decimal(50_000), Decimal(100_000)),
    minimum=Decimal(10_000),
    maximum=Decimal(2_000_000),  # ≤ 8,000 Stars: under Telegram's limit per invoice
    expiry=EXPIRY,
    prefix=PREFIX,
    bank=BankAccount("970436", "0011001234567", "SHOP"),
    stars_rate=STARS_RATE,
    decimals=0,
)
ZERO = Decimal(0)
_instances = itertools.count(1)  # each run's users and transaction ids are its own

asked = st.integers(10_000, 2_000_000).map(Decimal)
BEFORE = ("", "MBVCB.8812345.", "Chuyen tien", "IBFT", "CT DEN:0231", "Nạp")
AFTER = ("", "cam on", "Ma GD ACSP/ 12ab", ".", "tu TK 0011")
SEPARATORS = (" ", "-", " - ", "  ")
CREDITING = (TopupState.PAID, TopupState.REFUNDED)


@dataclass
class Expected:
    """What the model says a top-up is."""

    user: int
    method: TopupMethod
    amount: Decimal
    stars: int | None
    expires_at: datetime
    code: str
    state: TopupState = TopupState.PENDING
    credited: Decimal | None = None
    payment: str | None = None


@dataclass(frozen=True)
class Note:
    """A notification as a bank service sent it, and what its first delivery did."""

    incoming: IncomingTransfer
    recorded: bool  # incoming with a positive amount: a transfer row
    transfer_id: int | None


@dataclass
class Charge:
    user: int
    payload: str
    total: int
    topup_id: int
    amount: Decimal


def dressed(code: str, draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    """`code` as a customer's banking app may send it: still findable, never verbatim."""
    text = code.lower() if draw(st.booleans()) else code
    cuts = sorted(set(draw(st.lists(st.integers(1, CODE_LENGTH - 1), max_size=2))), reverse=True)
    for cut in cuts:
        text = text[:cut] + draw(st.sampled_from(SEPARATORS)) + text[cut:]
    prefix = draw(st.sampled_from(("", PREFIX, PREFIX.lower() + " ", PREFIX + "-", "Nap ")))
    before, after = draw(st.sampled_from(BEFORE)), draw(st.sampled_from(AFTER))
    return f"{before} {prefix}{text} {after}".strip()


class TopupMachine(RuleBasedStateMachine):
    """One shop's top-ups; `make_target` (set per engine) says where they are kept."""

    make_target: Callable[[], str | Path]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.target = type(self).make_target()
        base = next(_instances) * 10_000
        self.base = base
        self.users = [5**13 + base + n for n in range(3)]
        self.now = utcnow()
        self.serial = itertools.count(1)
        self.model: dict[int, Decimal] = dict.fromkeys(self.users, ZERO)  # balances
        self.topups: dict[int, Expected] = {}
        self.notes: list[Note] = []
        self.transfers: dict[int, tuple[Note, TransferState]] = {}  # transfer id → its state
        self.paid_by: dict[str, int] = {}  # payment ("sepay:12", "stars:ch") → the top-up it paid
        self.charges: dict[str, Charge] = {}  # Stars charge id → what it credited
        self.store = self.run(self._open())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    async def _open(self) -> Store:
        store = Store(self.target)
        await store.open()
        return store

    def service(self, store: Store | None = None) -> TopupService:
        return TopupService(store or self.store, RULES, clock=lambda: self.now)

    def teardown(self) -> None:
        try:
            self.run(self.store.close())
        finally:
            self.loop.close()
            if isinstance(self.target, Path):
                shutil.rmtree(self.target.parent, ignore_errors=True)

    async def _racing(self, calls: list[Callable[[TopupService], Coroutine[Any, Any, T]]]) -> list[Any]:
        """The calls at once, alternately from this store and another (a second process)."""
        async with Store(self.target) as other:
            services = (self.service(), self.service(other))
            return await asyncio.gather(
                *(call(services[n % 2]) for n, call in enumerate(calls)), return_exceptions=True
            )

    def _each(
        self, calls: list[Callable[[TopupService], Coroutine[Any, Any, T]]], together: bool
    ) -> list[Any]:
        if together and len(calls) > 1:
            return self.run(self._racing(calls))
        results: list[Any] = []
        for call in calls:
            try:
                results.append(self.run(call(self.service())))
            except (TransferNotOpen, NotRefundable, InsufficientFunds) as exc:
                results.append(exc)
        return results

    def _credit(self, topup_id: int, amount: Decimal, payment: str) -> None:
        expected = self.topups[topup_id]
        assert payment not in self.paid_by, f"{payment} paid a second top-up"
        expected.state, expected.credited, expected.payment = TopupState.PAID, amount, payment
        self.paid_by[payment] = topup_id
        self.model[expected.user] += amount

    def _adopt(self, topup: Topup, user: int) -> None:
        """A top-up the service made itself (assigned, or a Stars payment of its own)."""
        assert topup.id not in self.topups and topup.user_id == user
        self.topups[topup.id] = Expected(
            user, topup.method, topup.amount, topup.stars, topup.expires_at, topup.code
        )

    # -- operations ------------------------------------------------------------------------

    @initialize(opened=st.lists(st.tuples(st.integers(0, 2), asked, st.booleans()), max_size=4))
    def open_some(self, opened: list[tuple[int, Decimal, bool]]) -> None:
        """A few top-ups waiting from the start, so most steps have something to pay."""
        for user, amount, stars in opened:
            self.open(user, amount, stars)

    @rule(user=st.integers(0, 2), amount=asked, stars=st.booleans())
    def open(self, user: int, amount: Decimal, stars: bool) -> None:
        method = TopupMethod.STARS if stars else TopupMethod.BANK
        topup = self.run(self.service().open(self.users[user], self.users[user], amount, method))
        assert topup.state is TopupState.PENDING and topup.amount == amount and topup.method is method
        assert len(topup.code) == CODE_LENGTH and set(topup.code) <= set(ALPHABET)
        assert topup.stars == (math.ceil(amount / STARS_RATE) if stars else None)
        assert topup.expires_at == self.now + EXPIRY
        self._adopt(topup, self.users[user])

    @rule(
        data=st.data(),
        source=st.sampled_from(("sepay", "casso")),
        naming=st.sampled_from(("pending", "pending", "pending", "any", "any", "none")),
        sum_=st.sampled_from(("asked", "asked", "asked", "other", "other", "zero")),
        other=asked,
        incoming=st.sampled_from((True,) * 7 + (False,)),
        copies=st.integers(1, 3),
        together=st.booleans(),
    )
    def deliver(
        self,
        data: st.DataObject,
        source: str,
        naming: str,
        sum_: str,
        other: Decimal,
        incoming: bool,
        copies: int,
        together: bool,
    ) -> None:
        """A new notification, delivered `copies` times (at once, or one after another)."""
        target = None
        pending = sorted(n for n, e in self.topups.items() if e.state is TopupState.PENDING)
        choices = pending if naming == "pending" and pending else sorted(self.topups)
        if naming != "none" and choices:
            target = data.draw(st.sampled_from(choices), label="topup")
        if target is not None:
            code = self.topups[target].code
            content = dressed(code, data.draw)
            assert code in candidate_codes(content, PREFIX), content
        else:
            content = data.draw(st.sampled_from(BEFORE + AFTER), label="content")
        wanted = self.topups[target].amount if target is not None else other
        amount = {"asked": wanted, "other": other, "zero": ZERO}[sum_]
        # Now and then the other service's id: (source, id) is the key, not the id alone.
        reuse = [n.incoming.transaction_id for n in self.notes if n.incoming.source != source]
        if reuse and data.draw(st.booleans(), label="reuse id"):
            transaction = data.draw(st.sampled_from(reuse), label="id")
            if any(
                n.incoming.transaction_id == transaction and n.incoming.source == source for n in self.notes
            ):
                transaction = f"{self.base}-{next(self.serial)}"
        else:
            transaction = f"{self.base}-{next(self.serial)}"
        incoming_transfer = IncomingTransfer(
            source, transaction, amount, incoming, content, "0011001234567", f"FT{transaction}", None
        )
        before = None if target is None else replace(self.topups[target])
        results = self._each([lambda s: s.receive(incoming_transfer)] * copies, together)
        assert all(isinstance(r, Received) for r in results), results
        recorded = incoming and amount > 0
        if not recorded:
            event("notification ignored")
            assert all(r.ignored and r.transfer is None and r.credit is None for r in results), results
            self.notes.append(Note(incoming_transfer, False, None))
            return
        fresh = [r for r in results if not r.duplicate]
        assert len(fresh) == 1, results  # one records it, the others find it recorded
        first = fresh[0]
        assert first.transfer is not None and not first.ignored
        self.notes.append(Note(incoming_transfer, True, first.transfer.id))
        assert first.transfer.amount == amount and first.transfer.source == source
        reason: UnmatchedReason | None
        if before is None:
            reason = UnmatchedReason.NO_CODE
        elif before.state is TopupState.PENDING:
            reason = UnmatchedReason.EXPIRED if before.expires_at <= self.now else None
        else:
            reason = {
                TopupState.EXPIRED: UnmatchedReason.EXPIRED,
                TopupState.CANCELED: UnmatchedReason.CANCELED,
            }.get(before.state, UnmatchedReason.ALREADY_PAID)
        event(
            f"notification: {reason or 'credited'}, {copies} at once"
            if together
            else f"notification: {reason or 'credited'}"
        )
        if reason is not None:
            assert first.credit is None, (before, first)
            assert first.transfer.state is TransferState.UNMATCHED and first.transfer.reason is reason
            assert first.transfer.topup_id is None
            self.transfers[first.transfer.id] = (self.notes[-1], TransferState.UNMATCHED)
            return
        # A pending, unexpired top-up named by its code: credited exactly what was received.
        assert target is not None and first.credit is not None, first
        credit = first.credit
        assert credit.created and credit.amount == amount and credit.topup.id == target
        assert credit.topup.state is TopupState.PAID and credit.topup.credited == amount
        assert first.transfer.state is TransferState.CREDITED and first.transfer.topup_id == target
        self._credit(target, amount, f"{source}:{transaction}")
        assert credit.balance == self.model[self.topups[target].user]
        self.transfers[first.transfer.id] = (self.notes[-1], TransferState.CREDITED)

    @rule(data=st.data(), copies=st.integers(1, 3), together=st.booleans())
    def redeliver(self, data: st.DataObject, copies: int, together: bool) -> None:
        """The service retries an earlier notification (it didn't see our 200)."""
        if not self.notes:
            return
        note = data.draw(st.sampled_from(self.notes), label="note")
        results = self._each([lambda s: s.receive(note.incoming)] * copies, together)
        for result in results:
            assert isinstance(result, Received), results
            if note.recorded:
                assert result.duplicate and result.credit is None, result
            else:
                assert result.ignored and result.transfer is None, result

    @rule(data=st.data(), owner=st.booleans())
    def cancel(self, data: st.DataObject, owner: bool) -> None:
        if not self.topups:
            return
        topup_id = data.draw(st.sampled_from(sorted(self.topups)), label="topup")
        expected = self.topups[topup_id]
        user = expected.user if owner else next(u for u in self.users if u != expected.user)
        canceled = self.run(self.service().cancel(user, topup_id))
        if owner and expected.state is TopupState.PENDING:
            assert canceled is not None and canceled.state is TopupState.CANCELED
            expected.state = TopupState.CANCELED
        else:
            assert canceled is None

    @rule(minutes=st.sampled_from((0, 1, 10, 29, 30, 31, 45)))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        moved = self.run(self.service().expire_due())
        mine = {t.id for t in moved if t.user_id in self.users}
        due = {
            n for n, e in self.topups.items() if e.state is TopupState.PENDING and e.expires_at <= self.now
        }
        assert mine == due
        assert all(t.state is TopupState.EXPIRED for t in moved)
        event(f"expired {min(len(due), 2)}+")
        for topup_id in due:
            self.topups[topup_id].state = TopupState.EXPIRED

    @rule(
        data=st.data(),
        owner=st.sampled_from((True, True, True, False)),
        right_total=st.sampled_from((True, True, True, False)),
    )
    def stars_paid(self, data: st.DataObject, owner: bool, right_total: bool) -> None:
        """Telegram took Stars for a top-up (whatever became of it) under a new charge id."""
        if not self.topups:
            return
        stars = sorted(n for n, e in self.topups.items() if e.method is TopupMethod.STARS)
        choices = stars if stars and data.draw(st.integers(0, 3), label="any") else sorted(self.topups)
        topup_id = data.draw(st.sampled_from(choices), label="topup")
        expected = self.topups[topup_id]
        user = expected.user if owner else next(u for u in self.users if u != expected.user)
        total = (expected.stars or 40) + (0 if right_total else 1)
        payload = f"topup:{topup_id}"
        charge = f"ch{self.base}-{next(self.serial)}"
        usable = (
            owner
            and expected.method is TopupMethod.STARS
            and expected.state in (TopupState.PENDING, TopupState.EXPIRED, TopupState.CANCELED)
            and expected.stars == total
        )
        credit = self.run(self.service().stars_paid(user, user, payload, "XTR", total, charge))
        assert credit.created
        event(
            f"stars paid {expected.state} {expected.method} top-up"
            if usable
            else "stars: a top-up of its own"
        )
        if usable:
            assert credit.topup.id == topup_id and credit.amount == expected.amount
        else:  # a top-up of its own, worth what the Stars are worth
            assert credit.topup.id != topup_id and credit.topup.method is TopupMethod.STARS
            assert credit.amount == STARS_RATE * total and credit.topup.stars == total
            self._adopt(credit.topup, user)
        self._credit(credit.topup.id, credit.amount, f"stars:{charge}")
        assert credit.balance == self.model[user]
        self.charges[charge] = Charge(user, payload, total, credit.topup.id, credit.amount)

    @rule(data=st.data(), copies=st.integers(1, 2))
    def stars_replayed(self, data: st.DataObject, copies: int) -> None:
        """The same successful payment handled again (a redelivered update)."""
        if not self.charges:
            return
        charge_id = data.draw(st.sampled_from(sorted(self.charges)), label="charge")
        charge = self.charges[charge_id]
        for _ in range(copies):
            credit = self.run(
                self.service().stars_paid(
                    charge.user, charge.user, charge.payload, "XTR", charge.total, charge_id
                )
            )
            assert (
                not credit.created and credit.topup.id == charge.topup_id and credit.amount == charge.amount
            )

    @rule(
        data=st.data(),
        actions=st.lists(st.sampled_from(("assign", "assign", "dismiss")), min_size=1, max_size=3),
        together=st.booleans(),
    )
    def handle(self, data: st.DataObject, actions: list[str], together: bool) -> None:
        """Admins assign or dismiss a transfer (two taps, two admins racing): one wins.

        Racing calls all do the same (which of an assign and a dismiss wins is up to the
        scheduler, and Hypothesis needs the steps after to be drawn alike on a replay)."""
        if not self.transfers:
            return
        if together:
            actions = [actions[0]] * len(actions)
        transfer_id = data.draw(st.sampled_from(sorted(self.transfers)), label="transfer")
        note, state = self.transfers[transfer_id]
        user = self.users[data.draw(st.integers(0, 2), label="user")]

        def call(action: str) -> Callable[[TopupService], Coroutine[Any, Any, Credit | Transfer]]:
            if action == "assign":
                return lambda s: s.assign(transfer_id, user, by_admin=7)
            return lambda s: s.dismiss(transfer_id, by_admin=7)

        results = self._each([call(action) for action in actions], together)
        won = [(a, r) for a, r in zip(actions, results, strict=True) if not isinstance(r, TransferNotOpen)]
        if state is not TransferState.UNMATCHED:
            assert not won, results
            return
        assert len(won) == 1, results
        action, result = won[0]
        event(f"{action} won of {len(actions)}{' racing' if together else ''}")
        if action == "dismiss":
            assert isinstance(result, Transfer) and result.state is TransferState.DISMISSED, result
            self.transfers[transfer_id] = (note, TransferState.DISMISSED)
            return
        assert isinstance(result, Credit) and result.created, result
        assert result.amount == note.incoming.amount and result.topup.method is TopupMethod.ASSIGNED
        self._adopt(result.topup, user)
        self._credit(
            result.topup.id, note.incoming.amount, f"{note.incoming.source}:{note.incoming.transaction_id}"
        )
        self.transfers[transfer_id] = (note, TransferState.ASSIGNED)

    @rule(data=st.data(), twice=st.booleans())
    def refund_stars(self, data: st.DataObject, twice: bool) -> None:
        if not self.topups:
            return
        topup_id = data.draw(st.sampled_from(sorted(self.topups)), label="topup")
        expected = self.topups[topup_id]
        for _ in range(2 if twice else 1):
            paid_in_stars = (expected.payment or "").startswith("stars:")  # not by a bank transfer
            refundable = expected.method is TopupMethod.STARS and paid_in_stars
            try:
                refunded = self.run(self.service().refund_stars(topup_id, by_admin=7))
            except NotRefundable:
                assert not (refundable and expected.state in CREDITING), expected
                continue
            except InsufficientFunds:
                event("stars refund: insufficient funds")
                assert expected.state is TopupState.PAID and expected.credited is not None
                assert self.model[expected.user] < expected.credited
                continue
            assert refundable and expected.state in CREDITING, (expected, refunded)
            assert refunded.state is TopupState.REFUNDED and refunded.id == topup_id
            if expected.state is TopupState.PAID:
                event(
                    f"stars refund of a top-up paid by {expected.payment and expected.payment.split(':')[0]}"
                )
                assert expected.credited is not None and self.model[expected.user] >= expected.credited
                self.model[expected.user] -= expected.credited
                expected.state = TopupState.REFUNDED
            else:
                assert expected.state is TopupState.REFUNDED  # asked again: nothing more

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        report = self.run(audit(self.store, RULES.decimals))
        assert report.clean, report.lines()
        credited_total = ZERO
        by_payment: dict[str, int] = {}
        for user in self.users:
            entries = self.run(self.store.wallets.entries(user, limit=10_000))
            balance = self.run(self.store.wallets.balance(user))
            assert balance == self.model[user] == sum((e.amount for e in entries), ZERO)
            assert balance >= 0
            credits = [e for e in entries if e.kind is EntryKind.TOPUP]
            for entry in credits:
                assert entry.note is not None
                by_payment[entry.note] = by_payment.get(entry.note, 0) + 1
            stored = {t.id: t for t in self.run(self.store.topups.for_user(user, limit=1000))}
            mine = {n: e for n, e in self.topups.items() if e.user == user}
            assert set(stored) == set(mine)
            for topup_id, topup in stored.items():
                expected = mine[topup_id]
                seen = (topup.state, topup.credited, topup.payment, topup.amount, topup.method)
                assert seen == (
                    expected.state,
                    expected.credited,
                    expected.payment,
                    expected.amount,
                    expected.method,
                ), (topup_id, topup, expected)
                if topup.state in (TopupState.CANCELED, TopupState.EXPIRED, TopupState.PENDING):
                    assert topup.credited is None and topup.payment is None
            in_ledger = sum((e.amount for e in credits), ZERO)
            paid = sum((t.credited or ZERO for t in stored.values() if t.state in CREDITING), ZERO)
            assert in_ledger == paid
            credited_total += in_ledger
        # One credit per payment, and only for payments that happened.
        assert all(count == 1 for count in by_payment.values()), by_payment
        for note in self.notes:
            key = f"{note.incoming.source}:{note.incoming.transaction_id}"
            if not note.recorded:
                assert key not in by_payment
        transfers = sum(
            (
                n.incoming.amount
                for n, s in self.transfers.values()
                if s in (TransferState.CREDITED, TransferState.ASSIGNED)
            ),
            ZERO,
        )
        stars = sum((c.amount for c in self.charges.values()), ZERO)
        assert credited_total == transfers + stars
        assert set(by_payment) == set(self.paid_by)


def _sqlite_file() -> Path:
    return Path(tempfile.mkdtemp(prefix="topups-")) / "bot.sqlite3"


@pytest.mark.parametrize("engine", ["sqlite"])  # counted per engine in the summary
def test_every_payment_credits_once_on_sqlite(engine: str) -> None:
    machine = type("SqliteTopups", (TopupMachine,), {"make_target": staticmethod(_sqlite_file)})
    run_state_machine_as_test(
        machine, settings=settings(max_examples=50, stateful_step_count=30, deadline=None)
    )


@pytest.mark.parametrize("engine", ["postgresql"])
def test_every_payment_credits_once_on_postgresql(engine: str, postgres_database: str) -> None:
    """Smaller: one shared database (each run keeps to its own users and transaction ids)."""
    machine = type(
        "PostgresTopups", (TopupMachine,), {"make_target": staticmethod(lambda: postgres_database)}
    )
    run_state_machine_as_test(
        machine, settings=settings(max_examples=30, stateful_step_count=25, deadline=None)
    )


async def test_a_stars_topup_paid_by_bank_transfer_is_not_refunded_as_stars(database: str | Path) -> None:
    """`receive` pays any pending top-up its code names, a Stars one too; `refund_stars` then
    takes the bank money back from the wallet and marks it refunded, though there is no Stars
    charge to refund (the /refundstars handler asserts `charge_id(...) is not None` after the
    debit)."""
    async with Store(database) as store:
        service = TopupService(store, RULES)
        user = 5**13 + 1
        topup = await service.open(user, user, Decimal(100_000), TopupMethod.STARS)
        got = await service.receive(
            IncomingTransfer("sepay", "1", Decimal(100_000), True, f"{PREFIX}{topup.code}", None, None, None)
        )
        assert got.credit is not None and got.credit.topup.id == topup.id  # paid by a bank transfer
        with pytest.raises(NotRefundable):
            await service.refund_stars(topup.id, by_admin=7)
        assert await service.balance(user) == Decimal(100_000)
