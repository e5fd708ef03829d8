"""Production profile: several Rasa replicas and action servers behind HAProxy (docs/betrieb.md)."""
