"""Texts the Telegram bridge sends by itself (German, Sie-form).

Everything else comes from the bot. The privacy texts state what docs/datenschutz.md
promises: no message texts in logs, conversations deleted after ``GL_RETENTION_DAYS``,
no personal data needed.
"""

from __future__ import annotations

from bot.messages import TECHNICAL_PROBLEM

__all__ = [
    "TECHNICAL_PROBLEM", "CHOOSE", "COMMANDS", "privacy_short", "privacy_full",
    "UNKNOWN_COMMAND", "NOT_TEXT", "STALE_BUTTON", "BUTTON_CHOSEN",
]

# shown in Telegram's command menu (setMyCommands); names must be lower-case latin
COMMANDS = [
    ("start", "Begrüßung und Hinweise"),
    ("hilfe", "Themenübersicht"),
    ("neu", "Gespräch neu beginnen"),
    ("datenschutz", "Was mit Ihren Nachrichten geschieht"),
]

CHOOSE = "Bitte wählen Sie:"

UNKNOWN_COMMAND = (
    "Diesen Befehl kenne ich nicht. Sie können mir Ihre Frage einfach schreiben oder "
    "/hilfe (Themenübersicht), /neu (Gespräch neu beginnen) oder /datenschutz nutzen."
)

NOT_TEXT = (
    "Ich kann nur Textnachrichten lesen – Bilder, Sprachnachrichten, Dateien oder Standorte "
    "verarbeite ich nicht. Bitte schreiben Sie mir Ihre Frage als Text."
)

STALE_BUTTON = "Diese Auswahl ist nicht mehr aktuell. Bitte schreiben Sie Ihre Frage oder nutzen Sie /hilfe."

BUTTON_CHOSEN = "Ihre Auswahl: {title}"


def _days(days: int) -> str:
    return "einem Tag" if days == 1 else f"{days} Tagen"


def privacy_short(days: int) -> str:
    return (
        "Hinweis zum Datenschutz: Sie brauchen mir keine persönlichen Daten zu nennen. "
        f"Ihr Gespräch wird gespeichert, damit ich antworten kann, und nach {_days(days)} "
        "gelöscht. Mehr dazu mit /datenschutz."
    )


def privacy_full(days: int) -> str:
    return (
        "Datenschutz beim Gründungslotsen\n\n"
        "• Für Ihre Fragen brauche ich keine persönlichen Daten – bitte nennen Sie mir keine "
        "Namen, Adressen, Telefonnummern oder Steuer-IDs.\n"
        "• Ihre Nachrichten und meine Antworten werden gespeichert, damit das Gespräch "
        f"zusammenhängend bleibt, und nach {_days(days)} automatisch gelöscht.\n"
        "• Gespeichert wird das Gespräch unter einer Kennung Ihres Telegram-Chats, nicht unter "
        "Ihrem Namen oder Ihrer Telefonnummer.\n"
        "• In unseren Protokollen stehen keine Nachrichtentexte und keine Chat-Kennungen im "
        "Klartext, nur ein gekürzter Prüfwert.\n"
        "• Nachrichten an diesen Bot laufen über Telegram; dafür gelten die "
        "Datenschutzbestimmungen von Telegram.\n\n"
        "Mit /neu beginnen Sie ein neues Gespräch."
    )
