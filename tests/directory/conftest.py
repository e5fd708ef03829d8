"""Directory fixtures: the real data built once, and editable copies for broken-file tests."""

import shutil
from pathlib import Path

import pytest

from bot.directory.build import build
from bot.directory.sources import DIRECTORY_DIR


@pytest.fixture(scope="session")
def directory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("directory") / "directory.db"
    build(path)
    return path


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/directory/ for tests that break or extend a file."""
    target = tmp_path / "directory"
    shutil.copytree(DIRECTORY_DIR, target)
    return target
