"""German spaCy pipeline used by Rasa's SpacyNLP component."""
