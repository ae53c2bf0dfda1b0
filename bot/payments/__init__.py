"""Wallet top-ups by Vietnamese bank transfer (VietQR), confirmed by SePay or Casso webhooks.

Kept free of Telegram, the network and the database so every rule about money coming
in can be tested on plain bytes and strings: building the QR a customer scans, and
reading the notification that says the money arrived.
"""

from bot.payments.transfers import BadNotification, IncomingTransfer

__all__ = ["BadNotification", "IncomingTransfer"]
