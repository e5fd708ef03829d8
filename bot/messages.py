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


def message_truncated(max_chars: int) -> str:
    limit = f"{max_chars:,}".replace(",", ".")  # German thousands separator
    return (
        f"Ihre Nachricht war sehr lang. Ich habe die ersten {limit} Zeichen gelesen – "
        "kürzere Fragen kann ich besser beantworten."
    )
