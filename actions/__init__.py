"""rasa_sdk custom actions: thin adapters over bot.directory."""
