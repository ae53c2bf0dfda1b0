"""Handlers: orders."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Adds this module's handlers."""
