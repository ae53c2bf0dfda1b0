"""What admins see: who uses the bot, and what it ordered (today / 7 days / 30 days)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from bot.services.access import AccessService, Role
from bot.store import Store
from bot.store.models import Spend, UserRecord, utcnow


@dataclass
class Totals:
    """`charge`: what the panel charged for every order.  The shop's customer orders also
    count in `revenue` (retail paid from wallets, net of refunds) and `cost` (the panel's
    charge for those same orders), so `margin` is what the markup earned."""

    orders: int = 0
    charge: Decimal = field(default_factory=Decimal)
    revenue: Decimal = field(default_factory=Decimal)
    cost: Decimal = field(default_factory=Decimal)

    def add(self, spend: Spend) -> None:
        self.orders += 1
        self.charge += spend.charge
        if spend.price is not None:
            self.revenue += spend.price - (spend.refunded or 0)
            self.cost += spend.charge

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True)
class UserLine:
    user_id: int
    name: str
    role: Role
    totals: Totals
    blocked: bool


@dataclass(frozen=True)
class Group:
    key: int
    name: str
    totals: Totals


@dataclass(frozen=True)
class PeriodStats:
    days: int  # 1 = today (since the owner's midnight, in `TIMEZONE`)
    totals: Totals
    by_user: list[Group]
    by_service: list[Group]


class AdminService:
    def __init__(
        self,
        store: Store,
        access: AccessService,
        clock: Callable[[], datetime] = utcnow,
        zone: tzinfo = UTC,
    ) -> None:
        self._store = store
        self._access = access
        self._clock = clock
        self._zone = zone  # "today" starts at the owner's midnight, not UTC's

    async def users(self) -> list[UserLine]:
        """Everyone who ever wrote to the bot, biggest spenders first."""
        totals: dict[int, Totals] = {}
        for spend in await self._store.orders.spending():
            totals.setdefault(spend.user_id, Totals()).add(spend)
        lines = [
            UserLine(u.id, _name(u), self._access.role(u.id), totals.get(u.id, Totals()), u.blocked)
            for u in await self._store.users.list_users()
        ]
        return sorted(lines, key=lambda line: (-line.totals.charge, -line.totals.orders, line.user_id))

    async def stats(self) -> list[PeriodStats]:
        """Today, 7 and 30 days, each starting at a midnight of the owner's zone.

        Canceled (refunded) orders are not spending and don't appear; the store compares
        these zoned midnights with its UTC timestamps correctly.
        """
        now = self._clock().astimezone(self._zone)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        spends = await self._store.orders.spending(since=midnight - timedelta(days=29))
        names = {u.id: _name(u) for u in await self._store.users.list_users()}
        periods = ((1, midnight), (7, midnight - timedelta(days=6)), (30, midnight - timedelta(days=29)))
        return [_period(days, [s for s in spends if s.created_at >= since], names) for days, since in periods]


def _period(days: int, spends: list[Spend], names: dict[int, str]) -> PeriodStats:
    total = Totals()
    by_user: dict[int, Group] = {}
    by_service: dict[int, Group] = {}
    for spend in spends:
        total.add(spend)
        by_user.setdefault(
            spend.user_id, Group(spend.user_id, names.get(spend.user_id, ""), Totals())
        ).totals.add(spend)
        by_service.setdefault(
            spend.service_id, Group(spend.service_id, spend.service_name, Totals())
        ).totals.add(spend)
    return PeriodStats(days, total, _ranked(by_user.values()), _ranked(by_service.values()))


def _ranked(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.totals.charge, -g.totals.orders, g.key))


def _name(user: UserRecord) -> str:
    return f"@{user.username}" if user.username else user.first_name
