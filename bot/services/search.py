"""Catalog search: accent- and case-insensitive matching of names, categories and IDs."""

from __future__ import annotations


class ServiceSearch:
    """Search over the current catalog snapshot (to be implemented)."""
