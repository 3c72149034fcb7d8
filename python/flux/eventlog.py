# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.eventlog: RFC 18 eventlog entries and their display.

An eventlog is a list of JSON objects, one a line, each with a
"timestamp" (seconds since the epoch), a "name" and an optional
"context" object:

    from flux.eventlog import EventLogEvent, EventLogFormatter
    event = EventLogEvent('{"timestamp":1.5,"name":"start"}')
    event.name, event.timestamp, event.context     # 'start', 1.5, {}
    EventLogFormatter().format(event)               # '   1.500000 start'

EventLogFormatter writes entries the way flux-core's tools print
eventlogs: a timestamp ("raw" seconds, "iso" 8601 local time, "offset"
from the first entry, or "human": the time at each new minute, then
offsets from it), the name, then key=value pairs with JSON values; or
the entry as compact JSON.  With color, each part has its ANSI color.

As in flux-core, a formatter remembers the first entry it formatted
(offsets start there) and, in "human" form, the last entry that printed
a full time: use one formatter per eventlog.
"""

import json
import math
import sys
from datetime import datetime, timedelta

__all__ = ["EventLogEvent", "EventLogFormatter"]


def _compact_json(value, sort_keys=False):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=sort_keys)


class EventLogEvent(dict):
    """One eventlog entry: a dict with "timestamp", "name", "context".

    EventLogEvent(event) takes the entry as a dict (copied) or as its
    JSON text; a missing "context" becomes {}.  Bad JSON raises
    json.JSONDecodeError (a ValueError).
    """

    def __init__(self, event):
        if isinstance(event, (str, bytes, bytearray)):
            event = json.loads(event)
        super().__init__(event)
        self.setdefault("context", {})

    def __str__(self):
        # e.g. "1738774194.07843: submit {'userid': 1001}"
        return f"{self.timestamp:<0.5f}: {self.name} {self.context}"

    @property
    def name(self):
        """The event's name (KeyError if the entry has none)."""
        return self["name"]

    @property
    def timestamp(self):
        """Seconds since the epoch (KeyError if the entry has none)."""
        return self["timestamp"]

    @property
    def context(self):
        """The context dict, {} when the entry had none."""
        return self["context"]

    @property
    def context_string(self):
        """The context as compact JSON with sorted keys, or "" if empty."""
        if not self.context:
            return ""
        return _compact_json(self.context, sort_keys=True)


class EventLogFormatter:
    """EventLogFormatter(format="text", timestamp_format="raw", color="auto")

    format: "text" (timestamp, name, key=value pairs) or "json" (the
    entry as compact JSON, without an empty context).
    timestamp_format: "raw" (seconds, 6 decimals), "iso" (local time,
    e.g. 2025-02-05T16:49:54.078433Z), "offset" (seconds since the
    first entry formatted), "human" or its alias "reltime" ([Feb05
    16:49] for an entry a minute or more after the last such line,
    [  +0.016305] seconds after it otherwise).
    color: "always", "never" or "auto" (when standard output is a
    terminal at the time the formatter is made).

    Any other value raises ValueError.
    """

    BOLD = "\033[1m"
    YELLOW = "\033[33m"
    GREEN = "\033[32m"
    BLUE = "\033[34m"
    MAGENTA = "\033[35m"
    GRAY = "\033[37m"
    RED = "\033[31m"
    RESET = "\033[0m"

    # The color of each part of a text entry; a subclass or an instance
    # may change them.
    eventlog_colors = {
        "name": YELLOW,
        "time": GREEN,
        "timebreak": BOLD + GREEN,
        "key": BLUE,
        "value": MAGENTA,
        "number": GRAY,
        "exception": BOLD + RED,
    }

    _TIMESTAMP_FORMATS = {"raw": "raw", "iso": "iso", "offset": "offset",
                          "human": "human", "reltime": "human"}

    def __init__(self, format="text", timestamp_format="raw", color="auto"):
        # pylint: disable=redefined-builtin
        if format not in ("text", "json"):
            raise ValueError(f"Invalid entry_fmt: {format}")
        if timestamp_format not in self._TIMESTAMP_FORMATS:
            raise ValueError(f"Invalid timestamp_fmt: {timestamp_format}")
        if color not in ("always", "never", "auto"):
            raise ValueError(f"Invalid color: {color}")
        self.entry_format = format
        self.timestamp_format = self._TIMESTAMP_FORMATS[timestamp_format]
        if color == "auto":
            self.color = sys.stdout.isatty()
        else:
            self.color = color == "always"
        # The timestamp of the first entry formatted, and (human form)
        # of the last entry shown with its full time and its datetime.
        self.t0 = None
        self.last_ts = None
        self.last_dt = None

    def _paint(self, part, text):
        if not self.color:
            return text
        return f"{self.eventlog_colors[part]}{text}{self.RESET}"

    def _human(self, ts):
        when = datetime.fromtimestamp(ts).astimezone()
        if self.last_dt is not None:
            elapsed = when - self.last_dt
            if elapsed < timedelta(minutes=1):
                return self._paint(
                    "time", f"[{elapsed.total_seconds():>+11.6f}]")
        self.last_ts = ts
        self.last_dt = when
        return self._paint("timebreak", when.strftime("[%b%d %H:%M]"))

    @staticmethod
    def _iso(ts):
        # Microseconds are truncated, not rounded, so the seconds shown
        # are always those of the timestamp.
        seconds = math.floor(ts)
        usec = min(int((ts - seconds) * 1e6), 999999)
        when = datetime.fromtimestamp(seconds).astimezone()
        zone = when.strftime("%z")
        if zone == "+0000":
            zone = "Z"
        return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{usec:06d}{zone}"

    def _timestamp(self, ts):
        if self.t0 is None:
            self.t0 = ts
        style = self.timestamp_format
        if style == "human":
            return self._human(ts)
        if style == "iso":
            text = self._iso(ts)
        elif style == "offset":
            text = f"{ts - self.t0:15.6f}"
        else:
            text = f"{ts:11.6f}"
        return self._paint("time", text)

    def _value(self, value):
        # bool is not a number here: true/false are shown as values.
        part = "number" if type(value) in (int, float) else "value"
        return self._paint(part, _compact_json(value))

    def _text(self, entry):
        name_part = "exception" if entry.name == "exception" else "name"
        words = [self._timestamp(entry.timestamp),
                 self._paint(name_part, entry.name)]
        for key, value in entry.context.items():
            words.append(f"{self._paint('key', key)}={self._value(value)}")
        return " ".join(words)

    @staticmethod
    def _json(entry):
        if not entry.get("context", True):
            entry = {k: v for k, v in entry.items() if k != "context"}
        return _compact_json(entry)

    def format(self, entry):
        """One entry (an EventLogEvent, an RFC 18 dict or its JSON text)
        as a line of text, without a newline."""
        if not isinstance(entry, EventLogEvent):
            entry = EventLogEvent(entry)
        if self.entry_format == "json":
            return self._json(entry)
        return self._text(entry)
