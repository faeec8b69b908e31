"""The stub's virtual clock: real time scaled by a speed factor, plus explicit advances.

    virtual_now = origin + (monotonic() - m0) * speed + advanced

Speed is virtual seconds per real second (1 = real time, 60 = a minute per second,
0 = frozen: only `advance` moves it). Object timestamps, retry schedules and payout
arrival all run on this clock. Webhook *signature* timestamps do not: receivers check
them against their own wall clock, so they use real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any


class VirtualClock:
    """Thread-safe virtual clock."""

    def __init__(self, *, speed: float = 1.0, origin: float | None = None) -> None:
        if speed < 0:
            raise ValueError(f"speed={speed!r} is negative; use 0 (frozen) or more")
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._origin = time.time() if origin is None else origin
        self._m0 = time.monotonic()
        self._advanced = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        """Virtual Unix time in seconds."""
        with self._lock:
            return self._origin + (time.monotonic() - self._m0) * self._speed + self._advanced

    def advance(self, seconds: float) -> float:
        """Move virtual time forward; returns the new virtual time."""
        if seconds < 0:
            raise ValueError(f"seconds={seconds!r} is negative; the clock only moves forward")
        with self._lock:
            self._advanced += seconds
        return self.now()

    def set_speed(self, speed: float) -> None:
        """Change the speed without a jump in virtual time."""
        if speed < 0:
            raise ValueError(f"speed={speed!r} is negative; use 0 (frozen) or more")
        with self._lock:
            m = time.monotonic()
            self._origin += (m - self._m0) * self._speed
            self._m0 = m
            self._speed = float(speed)

    def real_delay(self, virtual_seconds: float) -> float | None:
        """Real seconds until `virtual_seconds` of virtual time pass (None: frozen clock)."""
        if virtual_seconds <= 0:
            return 0.0
        if self._speed == 0:
            return None
        return virtual_seconds / self._speed

    def reset(self) -> None:
        """Back to real time now, keeping the speed."""
        with self._lock:
            self._origin = time.time()
            self._m0 = time.monotonic()
            self._advanced = 0.0

    def snapshot(self) -> dict[str, Any]:
        now = self.now()
        return {
            "now": now,
            "iso": iso(now),
            "speed": self._speed,
            "advanced_seconds": self._advanced,
        }


def iso(ts: float) -> str:
    """UTC ISO 8601 with seconds, e.g. 2024-05-01T12:00:00Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
