"""Language catalogs: every user-visible text lives in one catalog per language."""

from __future__ import annotations

from bot.telegram.texts import en, vi

CATALOGS: dict[str, dict[str, str]] = {"en": en.TEXTS, "vi": vi.TEXTS}
DEFAULT_LANGUAGE = "en"
LANGUAGES = tuple(CATALOGS)


def language_for(chosen: str | None, telegram_code: str | None) -> str:
    """The user's own choice wins; otherwise Vietnamese for a `vi` Telegram client, else English."""
    if chosen in CATALOGS:
        return chosen
    if telegram_code and telegram_code.lower().split("-")[0] == "vi":
        return "vi"
    return DEFAULT_LANGUAGE


def text(language: str, key: str, **values: object) -> str:
    """Look up `key` in the user's language (English as fallback) and fill in the values."""
    catalog = CATALOGS.get(language, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    return template.format(**values) if values else template


def type_name(language: str, service_type: str) -> str:
    """A panel service type (`Default`, `Custom Comments`…) as said in the user's language.

    Only for display: the panel's own value is what the API gets. A type the catalogs don't know
    (a panel's own `Special`) is shown as the panel spells it.
    """
    key = "type_" + "_".join(service_type.lower().split())
    return text(language, key) if key in CATALOGS[DEFAULT_LANGUAGE] else service_type
