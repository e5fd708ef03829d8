"""German spaCy pipeline used by Rasa's SpacyNLP component.

Paths live here (not in build_pipeline) so callers can find the build without
importing spaCy – the launcher must stay small in memory.
"""

from bot.config import PROJECT_ROOT

OUTPUT_DIR = PROJECT_ROOT / "build" / "spacy-de"
STAMP_FILE = "gl_build.json"
