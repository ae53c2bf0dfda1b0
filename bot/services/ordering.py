"""The order wizard's domain logic."""
