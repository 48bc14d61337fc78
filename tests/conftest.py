"""Shared fixtures: every test gets its own data and export directories (never the user's)."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "export"))
    yield
