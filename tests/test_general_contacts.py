from pathlib import Path

import pytest

from bot.directory.general import DirectoryError, load_general_contacts
from bot.render import contact_lines, list_stand, stand


def test_shipped_contacts_all_have_source_and_verified() -> None:
    contacts = load_general_contacts()
    assert len(contacts) >= 2
    for contact in contacts:
        assert contact.source.startswith("https://")
        assert contact.verified


def test_missing_source_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "allgemein.yml"
    broken.write_text(
        "contacts:\n"
        "  - name: A\n    description: d\n    website: https://a.example\n"
        "    source: https://a.example\n    verified: 2026-11\n"
        "  - name: B\n    description: d\n    website: https://b.example\n    verified: 2026-11\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryError) as error:
        load_general_contacts(broken)
    assert f"{broken}:7" in str(error.value)
    assert "source" in str(error.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "allgemein.yml"
    broken.write_text("contacts:\n  - name: A\n   description: [kaputt\n", encoding="utf-8")
    with pytest.raises(DirectoryError) as error:
        load_general_contacts(broken)
    assert str(broken) in str(error.value) and "YAML" in str(error.value)


def test_bad_verified_format_is_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "allgemein.yml"
    broken.write_text(
        "contacts:\n  - name: A\n    description: d\n    website: https://a.example\n"
        "    source: https://a.example\n    verified: letzte Woche\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryError, match="JJJJ-MM"):
        load_general_contacts(broken)


def test_stand_is_german_month_and_year() -> None:
    assert stand("2026-03") == "Stand: März 2026"


def test_contact_lines_show_phone_only_when_sourced() -> None:
    contacts = load_general_contacts()
    rendered = contact_lines(contacts)
    assert "Tel. 115 (Mo–Fr 8–18 Uhr)" in rendered
    assert rendered.count("Tel.") == sum(1 for c in contacts if c.phone)
    assert list_stand(contacts).startswith("Stand: ")
