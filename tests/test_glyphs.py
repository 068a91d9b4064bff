"""Every symbol the app writes on a page has a font on the machine that serves and tests it
(an emoji such as ⏳ drew as an empty box in Debian's Chromium)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def symbols() -> set[str]:
    """Characters of Unicode category "Symbol, other" in the app's sources."""
    return {
        char
        for path in (ROOT / "app").rglob("*.py")
        for char in path.read_text(encoding="utf-8")
        if unicodedata.category(char) == "So"
    }


def test_every_symbol_of_the_app_has_an_installed_font() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed (it comes with Chromium)")
    missing = [
        f"{char} U+{ord(char):04X}"
        for char in sorted(symbols())
        if not subprocess.run(
            ["fc-list", f":charset={ord(char):x}"], capture_output=True, text=True, check=False
        ).stdout.strip()
    ]
    assert not missing, f"no installed font draws {missing}"
