"""Telegram channel: a bridge process between Telegram and the bot's REST channel.

Run with ``python -m bot.channels.telegram`` (needs ``TELEGRAM_BOT_TOKEN``). Every Telegram
message goes to ``POST {rasa}/webhooks/rest/webhook`` as ``{"sender": "tg-<chat id>", …}``;
the bot's replies come back as Telegram messages with inline keyboards for buttons.

Modules: :mod:`.config` (environment), :mod:`.rasa_client` (REST calls),
:mod:`.rendering` (escaping, splitting, keyboards), :mod:`.retry` (Telegram error policy),
:mod:`.texts` (German texts of the bridge), :mod:`.bridge` (python-telegram-bot handlers),
:mod:`.webhook` (webhook server for production).
"""
