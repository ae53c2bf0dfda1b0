"""The bot's one HTTP server: Telegram's webhook, the health check, payment notifications."""
