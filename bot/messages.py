"""Texts the channels and actions send outside of the dialogue model.

They are not domain responses because no story or rule predicts them: the channel
sends them when it answers by itself (empty input) or when the bot would stay silent.
"""

GENERAL_HELP = (
    "Persönlich hilft Ihnen die Wirtschaftsförderung Ihrer Stadt oder Ihres Landkreises; "
    "allgemeine Auskunft gibt die Behördennummer 115 (Mo–Fr 8–18 Uhr, www.115.de)."
)

TECHNICAL_PROBLEM = (
    "Entschuldigung, gerade gibt es ein technisches Problem und ich kann Ihre Anfrage "
    "nicht vollständig beantworten. Bitte versuchen Sie es gleich noch einmal. " + GENERAL_HELP
)

EMPTY_MESSAGE = (
    "Ihre Nachricht war leer. Schreiben Sie mir Ihre Frage, z. B. „Wie melde ich ein "
    "Gewerbe an?“, oder „Hilfe“ für eine Übersicht."
)

NO_WORDS = (
    "Ich habe nur Zeichen oder Emojis erhalten – die kann ich leider nicht deuten. "
    "Schreiben Sie mir Ihre Frage in Worten, z. B. „Welche Förderung gibt es für mich?“, "
    "oder „Hilfe“ für eine Übersicht."
)

TYPED_COMMAND = (
    "Text, der mit „/“ beginnt, nehme ich nur von den Schaltflächen meiner Antworten an – "
    "diese ist nicht (mehr) gültig. Schreiben Sie Ihre Frage einfach als Text, z. B. „Wie "
    "melde ich ein Gewerbe an?“, oder „Hilfe“ für eine Übersicht."
)


def message_truncated(max_chars: int) -> str:
    limit = f"{max_chars:,}".replace(",", ".")  # German thousands separator
    return (
        f"Ihre Nachricht war sehr lang. Ich habe die ersten {limit} Zeichen gelesen – "
        "kürzere Fragen kann ich besser beantworten."
    )


def _days(days: int, english: bool = False) -> str:
    if english:
        return "one day" if days == 1 else f"{days} days"
    return "einem Tag" if days == 1 else f"{days} Tagen"


def privacy_answer(conversation_days: int, callback_days: int, inbox_days: int, english: bool = False) -> str:
    """What the bot does with a founder's data – the same facts as docs/datenschutz.md."""
    if english:
        return (
            "Your data: I need no personal data to answer – please don't send names, addresses or "
            "tax numbers. Your messages and my answers are stored so the conversation stays "
            f"connected and are deleted after {_days(conversation_days, True)}. Logs contain no message "
            "texts. Ratings (👍/👎) and unanswered questions are kept without your identity, with "
            f"e-mails, phone numbers and names masked, for {_days(inbox_days, True)}. A callback request is "
            "stored only with your explicit consent and deleted once handled, at the latest after "
            f"{_days(callback_days, True)}."
        )
    return (
        "Ihre Daten: Für Ihre Fragen brauche ich keine persönlichen Daten – bitte nennen Sie mir keine "
        "Namen, Adressen oder Steuernummern. Ihre Nachrichten und meine Antworten werden gespeichert, "
        f"damit das Gespräch zusammenhängt, und nach {_days(conversation_days)} gelöscht. In den "
        "Protokollen stehen keine Nachrichtentexte. Bewertungen (👍/👎) und unbeantwortete Fragen "
        "bewahren wir ohne Ihre Kennung und mit unkenntlich gemachten E-Mail-Adressen, Telefonnummern "
        f"und Namen {_days(inbox_days)} auf. Eine Rückrufbitte speichere ich nur mit Ihrer "
        f"ausdrücklichen Einwilligung; gelöscht wird sie nach Erledigung, spätestens nach {_days(callback_days)}."
    )
