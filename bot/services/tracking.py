"""A user's own orders and refills: listing, live status, refill, cancel."""
