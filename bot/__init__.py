"""Gründungslotse runtime package: settings, NLP pipeline, channels, launcher and CLI."""

__version__ = "0.1.0"
