"""Contact directory: plain Python, no Rasa imports (staff-edited YAML under data/directory/)."""
