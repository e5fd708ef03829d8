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
