"""Text → sparse features for the linear classifiers: TF-IDF of character and word n-grams.

Character n-grams within words (2–5) carry typos, compounds ("Gründungszuschuss") and
inflection; word uni- and bigrams carry the phrase ("gewerbe anmelden"). Texts are lowercased
and umlauts folded (ä → ae, ß → ss), so "foerderung", "forderung" and "Förderung" share most
of their n-grams. Sublinear TF keeps long stories from drowning their one question.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

_UMLAUT_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise(text: str) -> str:
    """Lowercase and fold umlauts: "Förderung für Gründer" → "foerderung fuer gruender"."""
    return text.lower().translate(_UMLAUT_FOLD)


def make_vectorizer() -> FeatureUnion:
    """An unfitted TF-IDF vectorizer (character 2–5-grams seen at least twice + word 1–2-grams)."""
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  preprocessor=normalise, sublinear_tf=True, dtype=np.float64)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                  preprocessor=normalise, sublinear_tf=True, dtype=np.float64)),
    ])
