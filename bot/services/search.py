"""Catalog search (accent-insensitive). Implemented by the catalog & search work."""
