"""The shop's books, checked from scratch (`python -m bot audit`): every wallet recomputed
from its ledger, every wallet-paid order's charge and refund recomputed from the order.

What must hold (each break is a `Finding`):

* every wallet's balance is the sum of its ledger, never below zero, and each entry's
  `balance_after` follows from the one before (`WalletStore.audit`);
* every wallet-paid order (`price` set) has exactly one charge, booked to its owner, of
  exactly −price;
* a refund is never larger than the charge, never booked to someone else, and only for an
  outcome that gives money back: refused (`failed`), Partial, Canceled, Refunded or Failed;
  once settled (`orders.refunded` set) it is exactly what `refund_due` computes (Partial:
  remains × charge / quantity, rounded down to the currency's places; a Partial refund is
  also checked, exactly and apart from `refund_due`, never to pass the undelivered part),
  and `orders.refunded` is exactly the refund entry's amount (0 with no entry);
* no charge or refund entry exists outside of that (a second charge, a refund or charge for
  an order that doesn't exist or was ordered at cost);
* every paid top-up has exactly one credit (`topup:{id}`), booked to its owner, of exactly
  what it says it credited; no other top-up has one; a refunded (Stars) top-up has one
  matching debit and no other has any; no top-up credit or refund exists outside of that;
* every transfer credited or assigned paid exactly one paid top-up, which names it as its
  payment; an unmatched or dismissed transfer paid none.

An order whose outcome calls for a refund the tracking cycle hasn't settled yet is not a
discrepancy but "refund pending" (`Finding.pending`): the next cycle books it.  All reads
see one moment (`Database.snapshot()`), so a live bot booking meanwhile can't make right
books look wrong.  No Telegram here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.panel.models import GIVING_BACK_ORDER_STATUSES, OrderStatusKind
from bot.services.wallets import refund_due
from bot.store.audit import EntryFigures, OrderBooks, StrayEntry, TopupBooks, TransferBooks
from bot.store.ledger import Discrepancy, EntryKind
from bot.store.models import OrderState
from bot.store.store import Store

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with the books (`subject`: "wallet 7", "order 12", "ledger entry 40").
    `pending`: not wrong, only not done yet (a refund the next tracking cycle books)."""

    subject: str
    problem: str
    pending: bool = False

    def line(self) -> str:
        return f"{'warning' if self.pending else 'discrepancy'}: {self.subject}: {self.problem}"


@dataclass
class AuditReport:
    wallets: int = 0
    entries: int = 0
    shop_orders: int = 0
    topups: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def discrepancies(self) -> list[Finding]:
        return [f for f in self.findings if not f.pending]

    @property
    def pending(self) -> list[Finding]:
        return [f for f in self.findings if f.pending]

    @property
    def clean(self) -> bool:
        """The books balance (refunds pending don't unbalance them)."""
        return not self.discrepancies

    def lines(self) -> list[str]:
        """One line per finding, then the summary."""
        counts = (
            f"{self.wallets} wallets, {self.entries} ledger entries, {self.shop_orders} shop orders,"
            f" {self.topups} top-ups"
        )
        wrong = len(self.discrepancies)
        verdict = "books balance" if not wrong else f"{wrong} discrepanc{'y' if wrong == 1 else 'ies'}"
        waiting = len(self.pending)
        if waiting:
            verdict += f", {waiting} refund{'' if waiting == 1 else 's'} pending"
        return [*(f.line() for f in self.findings), f"audit: {counts} — {verdict}"]


async def audit(store: Store, decimals: int) -> AuditReport:
    """Check the books as they stand; `decimals`: the shop currency's places
    (`PRICE_DECIMALS`), which partial refunds are rounded down to."""
    async with store.db.snapshot() as conn:
        counts = await store.audit.counts(conn)
        report = AuditReport(counts.wallets, counts.entries, counts.shop_orders, counts.topups)
        for wallet in await store.wallets.audit(conn=conn):
            report.findings.extend(_wallet_findings(wallet))
        async for batch in store.audit.wallet_orders(conn):
            for order in batch:
                report.findings.extend(order_findings(order, decimals))
        for stray in await store.audit.stray_entries(conn):
            report.findings.append(_stray_finding(stray))
        async for topups in store.audit.topups(conn):
            for topup in topups:
                report.findings.extend(topup_findings(topup))
        async for transfers in store.audit.transfers(conn):
            for transfer in transfers:
                report.findings.extend(transfer_findings(transfer))
        for entry in await store.audit.stray_topup_entries(conn):
            what = f"{entry.kind} {entry.amount} (key {entry.idempotency_key}, user {entry.user_id})"
            report.findings.append(Finding(f"ledger entry {entry.id}", f"{what} belongs to no top-up"))
    return report


_CREDITED_TOPUP = ("paid", "refunded")


def topup_findings(topup: TopupBooks) -> list[Finding]:
    """One credit per paid top-up, of what it credited, to its owner; a debit per refund."""
    subject = f"top-up {topup.id}"
    found = []
    credit, refund = topup.credit, topup.refund
    if topup.state in _CREDITED_TOPUP:
        if credit is None:
            found.append(Finding(subject, f"{topup.state} but has no credit entry"))
        else:
            found += [Finding(subject, p) for p in _misbooked(credit, topup.user_id, EntryKind.TOPUP)]
            if credit.amount != topup.credited:
                found.append(Finding(subject, f"credit {credit.amount:f} ≠ credited {topup.credited:f}"))
        if not topup.payment:
            found.append(Finding(subject, f"{topup.state} but names no payment"))
    elif credit is not None:
        found.append(Finding(subject, f"{topup.state} but credited {credit.amount:f} (entry {credit.id})"))
    if topup.state == "refunded":
        if refund is None:
            found.append(Finding(subject, "refunded but its credit was never taken back"))
        else:
            found += [Finding(subject, p) for p in _misbooked(refund, topup.user_id, EntryKind.TOPUP_REFUND)]
            if topup.credited is not None and refund.amount != -topup.credited:
                found.append(Finding(subject, f"refund {refund.amount:f} ≠ −credited {topup.credited:f}"))
    elif refund is not None:
        found.append(
            Finding(subject, f"{topup.state} but debited {refund.amount:f} as refunded (entry {refund.id})")
        )
    return found


def transfer_findings(transfer: TransferBooks) -> list[Finding]:
    """A credited or assigned transfer paid one paid top-up that names it; others paid none."""
    subject = f"transfer {transfer.id}"
    if transfer.state in ("credited", "assigned"):
        if transfer.topup_id is None or transfer.topup_state is None:
            return [Finding(subject, f"{transfer.state} but pays no top-up")]
        if transfer.topup_state not in _CREDITED_TOPUP:
            return [Finding(subject, f"pays top-up {transfer.topup_id}, which is {transfer.topup_state}")]
        if transfer.topup_payment != transfer.payment:
            return [Finding(subject, f"top-up {transfer.topup_id} names another payment")]
        return []
    if transfer.topup_id is not None:
        return [Finding(subject, f"{transfer.state} but linked to top-up {transfer.topup_id}")]
    return []


def _wallet_findings(wallet: Discrepancy) -> list[Finding]:
    subject = f"wallet {wallet.user_id}"
    details = {
        "balance is not the sum of the ledger": f"balance {wallet.balance} ≠ ledger sum {wallet.ledger_sum}",
        "balance below zero": f"balance {wallet.balance} is below zero",
        "ledger entries without a wallet": f"ledger entries (sum {wallet.ledger_sum}) but no wallet row",
    }
    return [Finding(subject, details.get(problem, problem)) for problem in wallet.problems]


def order_findings(order: OrderBooks, decimals: int) -> list[Finding]:
    """What is wrong with one wallet-paid order's charge and refund (empty: nothing)."""
    found: list[str] = []
    pending: list[str] = []
    charge, refund = order.charge, order.refund
    charged = ZERO  # what the order's own, valid charge took (what a refund may give back)
    if charge is None:
        found.append(f"no charge entry for its price {order.price}")
    else:
        found.extend(_misbooked(charge, order.user_id, EntryKind.CHARGE))
        if charge.amount != -order.price:
            found.append(f"charged {-charge.amount}, but its price is {order.price}")
        if charge.kind == EntryKind.CHARGE and charge.user_id == order.user_id and charge.amount < 0:
            charged = -charge.amount
    failed = order.state == OrderState.FAILED
    gives_back = failed or order.status in GIVING_BACK_ORDER_STATUSES
    refunded = ZERO if refund is None else refund.amount
    if refund is not None:
        found.extend(_misbooked(refund, order.user_id, EntryKind.REFUND))
        if refund.amount > charged:
            found.append(f"refund {refund.amount} exceeds its charge {charged}")
        if not gives_back:
            found.append(f"refunded {refund.amount}, but a {_outcome(order)} order is owed nothing")
    due = (
        refund_due(order.status, charged, order.quantity, order.remains, decimals, failed=failed)
        if gives_back
        else ZERO
    )
    if order.status == OrderStatusKind.PARTIAL and not failed and refund is not None:
        # Checked apart from `refund_due`, exactly (no division): a bug there must not pass.
        undelivered = min(max(order.remains or 0, 0), order.quantity)
        if refund.amount * max(order.quantity, 1) > charged * undelivered:
            share = f"{undelivered}/{order.quantity} of {charged}"
            found.append(f"refund {refund.amount} is more than the undelivered part ({share})")
    if order.refunded is not None:
        if order.refunded != refunded:
            booked = "no refund entry" if refund is None else f"a refund entry of {refund.amount}"
            found.append(f"orders.refunded is {order.refunded}, but the ledger has {booked}")
        if gives_back and refunded != due:
            found.append(f"refunded {refunded}, but a {_outcome(order)} order is owed {due}")
    elif refund is not None:
        found.append(f"refund entry of {refund.amount} booked, but orders.refunded is not set")
    elif gives_back:
        pending.append(f"refund pending: {due} due for a {_outcome(order)} order, not settled yet")
    subject = f"order {order.id}"
    return [Finding(subject, p) for p in found] + [Finding(subject, p, pending=True) for p in pending]


def _misbooked(entry: EntryFigures, user_id: int, kind: EntryKind) -> list[str]:
    problems = []
    if entry.kind != kind:
        problems.append(f"its {kind} key ({entry.idempotency_key}) books a {entry.kind} entry {entry.id}")
    if entry.user_id != user_id:
        problems.append(f"its {kind} (entry {entry.id}) was booked to user {entry.user_id}, not {user_id}")
    return problems


def _outcome(order: OrderBooks) -> str:
    if order.state == OrderState.FAILED:
        return "failed"
    if order.status == OrderStatusKind.PARTIAL:
        return f"Partial ({order.remains} of {order.quantity} not delivered)"
    return order.status


def _stray_finding(stray: StrayEntry) -> Finding:
    entry = stray.entry
    what = f"{entry.kind} {entry.amount} (key {entry.idempotency_key}, user {entry.user_id})"
    if stray.order_id is None:
        reason = "names no order"
    elif not stray.order_exists:
        reason = f"for order {stray.order_id}, which doesn't exist"
    elif stray.order_price is None:
        reason = f"for order {stray.order_id}, which was ordered at cost (no wallet charge)"
    elif entry.kind in (EntryKind.CHARGE, EntryKind.REFUND):
        reason = f"for order {stray.order_id}, under another key than its own: a second {entry.kind}"
    else:
        reason = f"keyed as order {stray.order_id}'s, which is not its charge or refund"
    return Finding(f"ledger entry {entry.id}", f"{what} {reason}")
