# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.eventlog (see doc/typing.rst).
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["EventLogEvent", "EventLogFormatter"]

# An RFC 18 entry: its JSON text, or the decoded object.
_Entry = str | bytes | bytearray | Mapping[str, Any]

class EventLogEvent(dict[str, Any]):
    def __init__(self, event: _Entry) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def timestamp(self) -> float: ...
    @property
    def context(self) -> dict[str, Any]: ...
    @property
    def context_string(self) -> str: ...

class EventLogFormatter:
    BOLD: str
    YELLOW: str
    GREEN: str
    BLUE: str
    MAGENTA: str
    GRAY: str
    RED: str
    RESET: str
    eventlog_colors: dict[str, str]
    entry_format: str
    timestamp_format: str
    color: bool
    t0: float | None
    last_ts: float | None
    last_dt: datetime | None
    def __init__(self, format: str = "text", timestamp_format: str = "raw",
                 color: str = "auto") -> None: ...
    def format(self, entry: EventLogEvent | _Entry) -> str: ...
