"""Telegram bridge: escaping, splitting at 4096, inline keyboards and their short ids."""

from __future__ import annotations

import html

import pytest

from bot.channels.telegram import texts
from bot.channels.telegram.rasa_client import BotMessage, Button, parse_messages
from bot.channels.telegram.rendering import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    ButtonStore,
    escape,
    plain,
    render,
    split_text,
    utf16_length,
)

CHAT = 734519826


# --- escaping ----------------------------------------------------------------------------

def test_escape_makes_html_inert_and_round_trips() -> None:
    raw = "<script>alert('x')</script> & <b>fett</b> – Quelle: https://www.ihk.de/?a=1&b=2"
    escaped = escape(raw)
    assert "<" not in escaped and ">" not in escaped
    assert "&amp;b=2" in escaped
    assert html.unescape(escaped) == raw


def test_escape_keeps_umlauts_quotes_and_newlines() -> None:
    raw = "Förderung „Gründungszuschuss“\n\"Stand\": Mai 2025 – 'ok'"
    assert escape(raw) == raw


# --- splitting -----------------------------------------------------------------------------

def test_short_text_is_one_part() -> None:
    assert split_text("Hallo!") == ["Hallo!"]
    assert split_text("  \n Hallo \n") == ["Hallo"]
    assert split_text("   ") == []


def test_long_text_splits_at_paragraphs_within_the_limit() -> None:
    paragraph = ("Das Gewerbeamt ist zuständig. " * 40).strip()  # ~1200 characters
    text = "\n\n".join([paragraph] * 8)
    parts = split_text(text)
    assert len(parts) >= 3
    assert all(0 < utf16_length(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert all(p.endswith("zuständig.") for p in parts)  # whole paragraphs only
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost


def test_splits_at_a_line_break_when_there_is_no_paragraph_break() -> None:
    line = "x" * 99
    text = "\n".join([line] * 100)  # 9999 characters, lines of 100
    parts = split_text(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts)
    assert all(set(row) == {"x"} and len(row) == 99 for p in parts for row in p.split("\n"))


def test_splits_at_a_word_boundary_and_never_inside_a_word() -> None:
    words = [f"Wort{i}" for i in range(3000)]
    parts = split_text(" ".join(words), limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert " ".join(parts).split() == words


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    url = "https://example.org/" + "a" * 9000
    parts = split_text(url)
    assert [len(p) for p in parts] == [4096, 4096, 9020 - 8192]
    assert "".join(parts) == url


def test_emoji_count_two_utf16_units() -> None:
    text = "🚀" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert [utf16_length(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == text


def test_exactly_the_limit_is_not_split() -> None:
    text = "a" * MAX_MESSAGE_LENGTH
    assert split_text(text) == [text]
    assert len(split_text(text + "b")) == 2


@pytest.mark.parametrize("limit", [2, 7, 50])
def test_tiny_limits_terminate_and_keep_every_character(limit: int) -> None:
    text = "Wie melde ich ein Gewerbe an?\n\nIm Gewerbeamt 🏛 der Gemeinde. " * 3
    parts = split_text(text, limit=limit)
    assert all(0 < utf16_length(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_splitting_happens_before_escaping() -> None:
    # 4000 '&' become 20000 characters of HTML, but Telegram counts the parsed text
    messages = render(CHAT, [BotMessage(text="&" * 4000)], ButtonStore())
    assert len(messages) == 1 and messages[0].html == "&amp;" * 4000


# --- keyboards and button ids --------------------------------------------------------------

BUTTONS = (
    Button("Gewerbe anmelden", "Wie melde ich ein Gewerbe an?"),
    Button("Persönliche Beratung", "Ich möchte persönlich beraten werden"),
)


def test_buttons_become_an_inline_keyboard_on_the_last_part() -> None:
    store = ButtonStore()
    long_text = "Absatz mit Inhalt. " * 400  # two parts
    messages = render(CHAT, [BotMessage(text=long_text, buttons=BUTTONS)], store)
    assert len(messages) == 2
    assert messages[0].keyboard is None
    rows = messages[1].keyboard.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Gewerbe anmelden"], ["Persönliche Beratung"]]
    data = [row[0].callback_data for row in rows]
    assert all(len(d.encode()) <= MAX_CALLBACK_DATA_BYTES for d in data)
    assert store.peek(CHAT, data[1]) == BUTTONS[1]


def test_long_payloads_never_reach_telegram() -> None:
    payload = '/faq{"thema": "' + "sehr langes Thema " * 20 + '"}'
    store = ButtonStore()
    markup = render(CHAT, [BotMessage(text="Wählen Sie", buttons=(Button("Lang", payload),))], store)[0].keyboard
    data = markup.inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES and payload not in data
    assert store.take(CHAT, data).payload == payload


def test_pressing_a_button_uses_up_its_keyboard_only() -> None:
    store = ButtonStore()
    first = store.register(CHAT, BUTTONS)
    second = store.register(CHAT, BUTTONS)
    assert store.take(CHAT, first[0]) == BUTTONS[0]
    assert store.take(CHAT, first[0]) is None  # double tap
    assert store.take(CHAT, first[1]) is None  # sibling of the pressed button
    assert store.take(CHAT, second[1]) == BUTTONS[1]  # another keyboard still works


def test_ids_are_per_chat() -> None:
    store = ButtonStore()
    data = store.register(CHAT, BUTTONS)[0]
    assert store.take(CHAT + 1, data) is None
    assert store.take(CHAT, data) == BUTTONS[0]


@pytest.mark.parametrize("data", [None, "", "x", "abc.1.0", "zzzzzz.1.0", "…", "1.1.1.1"])
def test_unknown_or_foreign_data_is_stale(data: object) -> None:
    store = ButtonStore(epoch="abc123")
    store.register(CHAT, BUTTONS)
    assert store.take(CHAT, data) is None  # type: ignore[arg-type]


def test_buttons_from_before_a_restart_are_stale() -> None:
    before = ButtonStore()
    data = before.register(CHAT, BUTTONS)[0]
    after = ButtonStore()  # new process, new epoch
    after.register(CHAT, (Button("Anderes", "etwas anderes"),))
    assert after.take(CHAT, data) is None


def test_forget_drops_a_chats_buttons() -> None:
    store = ButtonStore()
    data = store.register(CHAT, BUTTONS)[0]
    store.forget(CHAT)
    assert store.take(CHAT, data) is None


def test_store_is_bounded() -> None:
    store = ButtonStore(per_chat=3, max_chats=2)
    oldest = store.register(1, BUTTONS)[0]
    for _ in range(3):
        store.register(1, BUTTONS)
    assert store.take(1, oldest) is None and len(store) == 3
    first_chat = store.register(2, BUTTONS)[0]
    store.register(3, BUTTONS)  # chat 1 was least recently used
    assert store.take(1, store.register(1, BUTTONS)[0]) is not None  # chat 1 is back …
    assert store.take(2, first_chat) is None  # … and chat 2 made room


# --- whole messages ----------------------------------------------------------------------

def test_buttons_without_text_get_a_prompt() -> None:
    messages = render(CHAT, [BotMessage(buttons=BUTTONS)], ButtonStore())
    assert messages[0].html == escape(texts.CHOOSE) and messages[0].keyboard is not None


def test_image_is_sent_as_a_link() -> None:
    messages = render(CHAT, [BotMessage(text="Plan", image="https://example.org/a.png?x=1&y=2")], ButtonStore())
    assert messages[0].html == "Plan\nhttps://example.org/a.png?x=1&amp;y=2"


def test_rest_channel_json_is_parsed_defensively() -> None:
    data = [
        {"recipient_id": "tg-1", "text": "Hallo <b>"},
        {"text": "Wählen", "buttons": [{"title": "A", "payload": "/a"}, {"title": "B"}, {"payload": "x"}, "kaputt"]},
        {"custom": {"x": 1}},
        "kaputt",
        {"text": "   "},
        {"image": "https://example.org/i.png"},
    ]
    messages = parse_messages(data)
    assert [m.text for m in messages] == ["Hallo <b>", "Wählen", ""]
    assert messages[1].buttons == (Button("A", "/a"), Button("B", "B"))
    assert messages[2].image == "https://example.org/i.png"


def test_plain_texts_are_escaped_and_split() -> None:
    parts = plain("a < b\n\n" + "c " * 3000)
    assert parts[0].html.startswith("a &lt; b") and len(parts) == 2
    assert all(p.keyboard is None for p in parts)
