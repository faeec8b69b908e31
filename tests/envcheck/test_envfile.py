from __future__ import annotations

from pathlib import Path

import pytest

from golive.envcheck import read_env_file
from golive.errors import ConfigError


def _read(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "x.env"
    path.write_text(text)
    return read_env_file(path)


def test_forms_of_lines(tmp_path: Path) -> None:
    env = _read(
        tmp_path,
        "# comment\n\n"
        "export A=1\n"
        "B = two words  # trailing comment\n"
        "C='literal # not a comment \\n'\n"
        'D="line\\nbreak \\"quoted\\""\n'
        "E=\n"
        "F=a#b\n",
    )
    assert env.get("A") == "1"
    assert env.get("B") == "two words"
    assert env.get("C") == "literal # not a comment \\n"
    assert env.get("D") == 'line\nbreak "quoted"'
    assert env.get("E") == ""
    assert env.get("F") == "a#b"
    assert env.get("G") is None
    assert env.vars["D"].line == 6


def test_duplicate_keeps_last_and_remembers_the_first(tmp_path: Path) -> None:
    env = _read(tmp_path, "A=1\nA=2\n")
    assert env.get("A") == "2"
    assert [(d.name, d.line) for d in env.duplicates] == [("A", 1)]


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"env file .*nope\.env.* does not exist"):
        read_env_file(tmp_path / "nope.env")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("A=1\nsk_live_pastedsecret123\n", r"x\.env:2: .*has no '='"),
        ("A=1\n1BAD=3\n", r"x\.env:2: field '1BAD' is not a variable name"),
        ("A='open\n", r"x\.env:1: field 'A': .*never closes"),
        ('A="x" y\n', r"x\.env:1: field 'A': text after the closing quote"),
    ],
)
def test_malformed_lines_name_file_line_and_field(tmp_path: Path, text: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        _read(tmp_path, text)


def test_a_line_without_equals_never_echoes_its_text(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _read(tmp_path, "sk_live_pastedsecret123\n")
    assert "pastedsecret" not in str(info.value)


def test_a_secret_looking_name_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _read(tmp_path, "sk_live_pasted-secret=1\n")
    assert "pasted" not in str(info.value)


def test_not_utf8_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "x.env"
    path.write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_env_file(path)
