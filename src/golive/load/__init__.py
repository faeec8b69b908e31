"""golive's load engine: the canary money loop run by Locust (docs/load.md)."""

from __future__ import annotations

from golive.load.engine import EngineRun, LoadRequest, run_locust
from golive.load.records import LoopRecord, loop_record, read_exchanges, read_loops, world_of

__all__ = [
    "EngineRun",
    "LoadRequest",
    "LoopRecord",
    "loop_record",
    "read_exchanges",
    "read_loops",
    "run_locust",
    "world_of",
]
