"""[load]: 0 loops means "as many as the gates need"; a count, a worker count or a time bound
at or below zero is a configuration error (exit 2) naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import LoadPhase, load_config
from golive.errors import ConfigError


def test_the_default_load_phase_is_sized_by_the_gates_and_bounded() -> None:
    load = LoadPhase()
    assert load.loops == 0
    assert load.max_loops > 0
    assert load.max_seconds > 0
    assert load.workers == 1


def test_zero_loops_may_be_written_out(tmp_path: Path) -> None:
    (tmp_path / "golive.toml").write_text("[load]\nloops = 0\nworkers = 2\n")
    load = load_config(tmp_path / "golive.toml").load
    assert (load.loops, load.workers) == (0, 2)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("workers = 0", "load.workers"),
        ("max_seconds = 0", "load.max_seconds"),
        ("max_seconds = -5.0", "load.max_seconds"),
        ("loops = -1", "load.loops"),
        ("max_loops = 0", "load.max_loops"),
        ("concurrency = 0", "load.concurrency"),
    ],
)
def test_a_bound_at_or_below_zero_is_refused(tmp_path: Path, line: str, key: str) -> None:
    (tmp_path / "golive.toml").write_text(f"[load]\n{line}\n")
    with pytest.raises(ConfigError, match=key):
        load_config(tmp_path / "golive.toml")
