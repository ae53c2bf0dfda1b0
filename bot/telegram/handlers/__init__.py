"""Telegram handlers, one module per concern."""
