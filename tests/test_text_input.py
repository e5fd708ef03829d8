from bot.text_input import clean_message


def test_keeps_normal_german_text() -> None:
    clean = clean_message("Wie melde ich ein Gewerbe in Görlitz an?", 2000)
    assert clean.text == "Wie melde ich ein Gewerbe in Görlitz an?"
    assert not clean.truncated and not clean.empty


def test_none_and_whitespace_are_empty() -> None:
    assert clean_message(None, 2000).empty
    assert clean_message("  \n\t  ", 2000).empty


def test_control_characters_are_removed() -> None:
    clean = clean_message("Hal\x00lo\x07 Welt\x1b[31m", 2000)
    assert "\x00" not in clean.text and "\x07" not in clean.text and "\x1b" not in clean.text
    assert clean.text.startswith("Hal lo")


def test_long_text_is_cut_at_a_word_boundary() -> None:
    clean = clean_message("Gewerbe " * 2000, 2000)
    assert clean.truncated
    assert len(clean.text) <= 2000
    assert clean.text.endswith("Gewerbe")
    assert clean.original_length == 16000


def test_non_string_json_values_do_not_crash() -> None:
    assert clean_message(12345, 2000).text == "12345"
    assert clean_message({"a": 1}, 2000).text == "{'a': 1}"


def test_decomposed_umlauts_are_normalised() -> None:
    decomposed = "Fo\u0308rderung"
    assert clean_message(decomposed, 2000).text == "Förderung"


def test_emoji_and_punctuation_have_no_words() -> None:
    assert not clean_message("🤔🚀 ?!", 2000).has_words
    assert clean_message("Förderung?", 2000).has_words
    assert clean_message("2025", 2000).has_words


def test_huge_text_is_cut_before_it_is_cleaned(monkeypatch) -> None:
    """#15.3: a 96 MB message blocked every user for 18 s because all of it was cleaned first."""
    from bot import text_input

    looked_at = []
    original = text_input._is_unwanted
    monkeypatch.setattr(text_input, "_is_unwanted", lambda c: looked_at.append(c) or original(c))
    clean = clean_message("Gewerbe anmelden " * 500_000, 2000)  # 8.5 million characters
    assert clean.truncated and len(clean.text) <= 2000 and clean.text.startswith("Gewerbe anmelden")
    assert clean.original_length == 8_500_000
    assert len(looked_at) <= 2 * 2000 + 1


def test_whitespace_after_the_cut_is_not_a_truncation() -> None:
    clean = clean_message("Hallo" + " " * 10_000, 2000)
    assert clean.text == "Hallo" and not clean.truncated


def test_zero_width_and_format_characters_are_removed() -> None:
    """#15.10: invisible characters split words for NLU ("Gew\u200berbe") and hide text."""
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2066\u180e"
    clean = clean_message(f"Gew{invisible}erbe an\u200bmelden\u200b", 2000)
    assert clean.text == "Gewerbe anmelden"
    assert not clean_message("\u200b\u200b", 2000).has_words and clean_message("\u200b", 2000).empty
