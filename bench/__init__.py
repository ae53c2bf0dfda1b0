"""Benchmarks for the bot: `python -m bench` from the repository root.

Everything runs on loopback against the project's own panel simulator and the fake Telegram
Bot API from `tests/support/fake_telegram.py`; nothing touches the network.  Each scenario
lives in its own module and returns a `ScenarioResult` (figures, table rows, targets met or
missed); `bench.__main__` runs them, prints the tables and writes the JSON summary.
"""
