"""The audit over top-ups, on both engines: books written by the top-up service balance, and
each kind of tampering behind its back (a lost or doubled credit, a credit for an unpaid
top-up, a transfer that paid nothing, a refund that doesn't match) is reported, and makes
`python -m bot audit` exit 1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from bot.payments.transfers import IncomingTransfer
from bot.services.audit import AuditReport, audit
from bot.services.topups import BankAccount, TopupRules, TopupService
from bot.store import Store
from bot.store.tables import ledger, topups, transfers
from bot.store.topups import TopupMethod
from tests.conftest import database_env
from tests.test_audit import run_cli

ALICE, BOB = 1001, 2**40 + 7
RULES = TopupRules(
    amounts=(Decimal(50000),),
    minimum=Decimal(10000),
    maximum=Decimal(10_000_000),
    expiry=timedelta(minutes=30),
    prefix="NAP",
    bank=BankAccount("970436", "0123456789", "NGUYEN VAN A"),
    stars_rate=Decimal(300),
)


@dataclass
class Books:
    bank: int  # a bank top-up paid by transfer `transfer`
    transfer: int
    stars: int  # a Stars top-up, paid
    refunded: int  # a Stars top-up, paid then refunded
    pending: int
    unmatched: int  # a transfer nobody claimed


def incoming(tx: str, content: str, amount: int) -> IncomingTransfer:
    return IncomingTransfer("sepay", tx, Decimal(amount), True, content, "0123456789", None, None)


async def build(store: Store) -> Books:
    service = TopupService(store, RULES)
    bank = await service.open(ALICE, ALICE, Decimal(50000), TopupMethod.BANK)
    received = await service.receive(incoming("1", f"IBFT NAP{bank.code} chuyen tien", 50000))
    assert received.credit is not None and received.transfer is not None
    stars = await service.open(BOB, BOB, Decimal(30000), TopupMethod.STARS)
    await service.stars_paid(BOB, BOB, f"topup:{stars.id}", "XTR", 100, "charge-1")
    refunded = await service.open(BOB, BOB, Decimal(30000), TopupMethod.STARS)
    await service.stars_paid(BOB, BOB, f"topup:{refunded.id}", "XTR", 100, "charge-2")
    await service.refund_stars(refunded.id, by_admin=1)
    pending = await service.open(ALICE, ALICE, Decimal(20000), TopupMethod.BANK)
    stray = await service.receive(incoming("2", "no code here", 12000))
    assert stray.transfer is not None and stray.credit is None
    return Books(bank.id, received.transfer.id, stars.id, refunded.id, pending.id, stray.transfer.id)


async def _execute(store: Store, *statements: object) -> None:
    async with store.db.write() as conn:
        for statement in statements:
            await conn.execute(statement)  # type: ignore[call-overload]


def problems(report: AuditReport, subject: str) -> list[str]:
    return [f.problem for f in report.discrepancies if f.subject == subject]


async def test_books_written_by_the_service_balance(database: str | Path) -> None:
    async with Store(database) as store:
        await build(store)
        report = await audit(store, 0)
    assert report.clean, report.lines()
    assert report.topups == 4
    assert report.lines()[-1].endswith("4 top-ups — books balance")


Tamper = Callable[[Store, Books], Awaitable[None]]


async def lose_credit(store: Store, books: Books) -> None:
    await _execute(store, delete(ledger).where(ledger.c.idempotency_key == f"topup:{books.bank}"))


async def credit_twice(store: Store, books: Books) -> None:
    await _execute(
        store,
        ledger.insert().values(
            user_id=ALICE,
            kind="topup",
            amount=Decimal(50000),
            reference=f"topup:{books.bank}",
            idempotency_key=f"topup:{books.bank}:again",
            balance_after=Decimal(100000),
            created_at=store.wallets._now(),
        ),
    )


async def credit_unpaid(store: Store, books: Books) -> None:
    await _execute(store, update(topups).where(topups.c.id == books.stars).values(state="pending"))


async def credited_differs(store: Store, books: Books) -> None:
    await _execute(store, update(topups).where(topups.c.id == books.stars).values(credited=Decimal(99999)))


async def transfer_pays_nothing(store: Store, books: Books) -> None:
    await _execute(store, update(transfers).where(transfers.c.id == books.unmatched).values(state="credited"))


async def refund_lost(store: Store, books: Books) -> None:
    await _execute(store, delete(ledger).where(ledger.c.idempotency_key == f"topup:{books.refunded}:refund"))


def expected(books: Books) -> dict[Tamper, tuple[str, str]]:
    return {
        lose_credit: (f"top-up {books.bank}", "paid but has no credit entry"),
        credit_twice: ("", "belongs to no top-up"),
        credit_unpaid: (f"top-up {books.stars}", "pending but credited 30000"),
        credited_differs: (f"top-up {books.stars}", "credit 30000 ≠ credited 99999"),
        transfer_pays_nothing: (f"transfer {books.unmatched}", "credited but pays no top-up"),
        refund_lost: (f"top-up {books.refunded}", "refunded but its credit was never taken back"),
    }


TAMPERS = [lose_credit, credit_twice, credit_unpaid, credited_differs, transfer_pays_nothing, refund_lost]


@pytest.mark.parametrize("tamper", TAMPERS, ids=lambda f: f.__name__)
async def test_each_tampering_is_reported(database: str | Path, tamper: Tamper) -> None:
    async with Store(database) as store:
        books = await build(store)
        await tamper(store, books)
        report = await audit(store, 0)
    subject, problem = expected(books)[tamper]
    assert not report.clean
    found = [
        f for f in report.discrepancies if (not subject or f.subject == subject) and problem in f.problem
    ]
    assert found, report.lines()


async def test_the_command_fails_on_a_tampered_top_up(database: str | Path) -> None:
    async with Store(database) as store:
        books = await build(store)
        await lose_credit(store, books)
    code, out, err = await run_cli("audit", env=database_env(database))
    assert code == 1 and err == "", out
    assert f"discrepancy: top-up {books.bank}: paid but has no credit entry" in out
