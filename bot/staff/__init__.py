"""Werkzeuge für die Redaktion: Daten prüfen (`bot check`) und Qualitätsbericht (`bot report`)."""
