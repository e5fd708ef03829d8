"""Input channels: guarded REST (used by the web widget and the Telegram bridge)."""
