"""What handlers may reach: the service layer (never the store or the panel client directly)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.services.access import AccessService
from bot.services.account import AccountService
from bot.services.admin import AdminService
from bot.services.alerts import AdminAlerts
from bot.services.catalog import CatalogCache
from bot.services.favorites import FavoritesService
from bot.services.notifications import NotificationService
from bot.services.ordering import OrderingService
from bot.services.poller import StatusPoller
from bot.services.search import ServiceSearch
from bot.services.settlement import SettlementService
from bot.services.shop import Shop
from bot.services.topups import TopupService
from bot.services.tracking import TrackingService
from bot.services.users import UserService
from bot.services.wallets import WalletService
from bot.telegram.texts import DEFAULT_LANGUAGE, text

if TYPE_CHECKING:
    from bot.telegram.topup_notices import TopupNotices

DEPS_KEY = "deps"
LANGUAGE_KEY = "language"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    users: UserService
    account: AccountService
    catalog: CatalogCache
    search: ServiceSearch
    ordering: OrderingService
    tracking: TrackingService
    poller: StatusPoller
    notifications: NotificationService
    alerts: AdminAlerts
    access: AccessService
    admin: AdminService
    settlement: SettlementService
    favorites: FavoritesService
    shop: Shop
    wallet: WalletService
    topups: TopupService
    topup_notices: TopupNotices


Context = ContextTypes.DEFAULT_TYPE
# The application as handlers register on it (PTB's six type parameters are not ours to narrow).
App = Application[Any, Any, Any, Any, Any, Any]


def deps(context: Context) -> Deps:
    found = context.bot_data[DEPS_KEY]
    assert isinstance(found, Deps)
    return found


def language(context: Context) -> str:
    """The language resolved for this update by the `remember_user` pre-handler."""
    user_data = context.user_data
    return user_data.get(LANGUAGE_KEY, DEFAULT_LANGUAGE) if user_data is not None else DEFAULT_LANGUAGE


def t(context: Context, key: str, **values: Any) -> str:
    return text(language(context), key, **values)
