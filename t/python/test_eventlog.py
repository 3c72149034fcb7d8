# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.eventlog: RFC 18 entries (EventLogEvent) and the lines flux-core's
tools print for them (EventLogFormatter); no broker needed."""

import io
import json
import time

import pytest

from flux.eventlog import EventLogEvent, EventLogFormatter

# 1700000000 is 2023-11-14 22:13:20 UTC.
EVENTLOG = """\
{"timestamp":1700000000.25,"name":"submit","context":{"userid":1000,"urgency":16}}
{"timestamp":1700000000.5,"name":"alloc","context":{"annotations":{"sched":{"queue":"batch"}}}}
{"timestamp":1700000001.125,"name":"start"}
{"timestamp":1700000030.0000005,"name":"exception","context":{"type":"cancel","severity":0,"note":"café"}}
{"timestamp":1700000059.5,"name":"memo","context":{"ok":true,"ratio":0.5,"none":null}}
{"timestamp":1700000060.75,"name":"finish","context":{"status":0}}
{"timestamp":1700000061,"name":"clean","context":{}}
"""
ENTRIES = [json.loads(line) for line in EVENTLOG.splitlines()]

RAW = """\
1700000000.250000 submit userid=1000 urgency=16
1700000000.500000 alloc annotations={"sched":{"queue":"batch"}}
1700000001.125000 start
1700000030.000000 exception type="cancel" severity=0 note="café"
1700000059.500000 memo ok=true ratio=0.5 none=null
1700000060.750000 finish status=0
1700000061.000000 clean
"""

OFFSET = """\
       0.000000 submit userid=1000 urgency=16
       0.250000 alloc annotations={"sched":{"queue":"batch"}}
       0.875000 start
      29.750000 exception type="cancel" severity=0 note="café"
      59.250000 memo ok=true ratio=0.5 none=null
      60.500000 finish status=0
      60.750000 clean
"""

ISO_UTC = """\
2023-11-14T22:13:20.250000Z submit userid=1000 urgency=16
2023-11-14T22:13:20.500000Z alloc annotations={"sched":{"queue":"batch"}}
2023-11-14T22:13:21.125000Z start
2023-11-14T22:13:50.000000Z exception type="cancel" severity=0 note="café"
2023-11-14T22:14:19.500000Z memo ok=true ratio=0.5 none=null
2023-11-14T22:14:20.750000Z finish status=0
2023-11-14T22:14:21.000000Z clean
"""

ISO_EST = """\
2023-11-14T17:13:20.250000-0500 submit userid=1000 urgency=16
2023-11-14T17:13:20.500000-0500 alloc annotations={"sched":{"queue":"batch"}}
2023-11-14T17:13:21.125000-0500 start
"""

# A full time, then seconds since it until an entry is a minute or
# more after it.
HUMAN = """\
[Nov14 22:13] submit userid=1000 urgency=16
[  +0.250000] alloc annotations={"sched":{"queue":"batch"}}
[  +0.875000] start
[ +29.750000] exception type="cancel" severity=0 note="café"
[ +59.250000] memo ok=true ratio=0.5 none=null
[Nov14 22:14] finish status=0
[  +0.250000] clean
"""

E = "\033["
HUMAN_COLOR = [
    f"{E}1m{E}32m[Nov14 22:13]{E}0m {E}33msubmit{E}0m "
    f"{E}34muserid{E}0m={E}37m1000{E}0m {E}34murgency{E}0m={E}37m16{E}0m",
    f"{E}32m[  +0.250000]{E}0m {E}33malloc{E}0m "
    f'{E}34mannotations{E}0m={E}35m{{"sched":{{"queue":"batch"}}}}{E}0m',
    f"{E}32m[  +0.875000]{E}0m {E}33mstart{E}0m",
    f"{E}32m[ +29.750000]{E}0m {E}1m{E}31mexception{E}0m "
    f'{E}34mtype{E}0m={E}35m"cancel"{E}0m '
    f"{E}34mseverity{E}0m={E}37m0{E}0m "
    f'{E}34mnote{E}0m={E}35m"café"{E}0m',
    f"{E}32m[ +59.250000]{E}0m {E}33mmemo{E}0m "
    f"{E}34mok{E}0m={E}35mtrue{E}0m {E}34mratio{E}0m={E}37m0.5{E}0m "
    f"{E}34mnone{E}0m={E}35mnull{E}0m",
    f"{E}1m{E}32m[Nov14 22:14]{E}0m {E}33mfinish{E}0m "
    f"{E}34mstatus{E}0m={E}37m0{E}0m",
    f"{E}32m[  +0.250000]{E}0m {E}33mclean{E}0m",
]

JSON = """\
{"timestamp":1700000000.25,"name":"submit","context":{"userid":1000,"urgency":16}}
{"timestamp":1700000000.5,"name":"alloc","context":{"annotations":{"sched":{"queue":"batch"}}}}
{"timestamp":1700000001.125,"name":"start"}
{"timestamp":1700000030.0000005,"name":"exception","context":{"type":"cancel","severity":0,"note":"café"}}
{"timestamp":1700000059.5,"name":"memo","context":{"ok":true,"ratio":0.5,"none":null}}
{"timestamp":1700000060.75,"name":"finish","context":{"status":0}}
{"timestamp":1700000061,"name":"clean"}
"""


@pytest.fixture
def tz(monkeypatch):
    """Set the local time zone for the test: tz("UTC")."""

    def set_tz(name):
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def lines(formatter, entries=ENTRIES):
    return [formatter.format(entry) for entry in entries]


# EventLogEvent


def test_event_from_json_text():
    event = EventLogEvent('{"timestamp":2.5,"name":"start","context":{"a":1}}')
    assert event.name == "start"
    assert event.timestamp == 2.5
    assert event.context == {"a": 1}
    assert event == {"timestamp": 2.5, "name": "start", "context": {"a": 1}}


def test_event_without_context_gets_an_empty_one():
    entry = {"timestamp": 1.0, "name": "depend"}
    event = EventLogEvent(entry)
    assert event.context == {}
    assert event["context"] == {}
    assert entry == {"timestamp": 1.0, "name": "depend"}  # a copy


def test_event_is_a_dict():
    event = EventLogEvent({"timestamp": 1, "name": "x", "extra": [1]})
    assert isinstance(event, dict)
    assert event["extra"] == [1]
    assert json.loads(json.dumps(event)) == {
        "timestamp": 1, "name": "x", "extra": [1], "context": {}}


def test_event_missing_name_or_timestamp():
    event = EventLogEvent({"timestamp": 1})
    with pytest.raises(KeyError):
        event.name
    with pytest.raises(KeyError):
        EventLogEvent({"name": "x"}).timestamp


def test_event_bad_json():
    with pytest.raises(json.JSONDecodeError):
        EventLogEvent('{"name": ')


def test_event_str():
    event = EventLogEvent(ENTRIES[0])
    assert str(event) == (
        "1700000000.25000: submit {'userid': 1000, 'urgency': 16}")
    assert str(EventLogEvent(ENTRIES[2])) == "1700000001.12500: start {}"


def test_event_context_string():
    event = EventLogEvent({"timestamp": 1, "name": "x",
                           "context": {"z": "é", "a": [1, 2], "m": None}})
    assert event.context_string == '{"a":[1,2],"m":null,"z":"é"}'
    assert EventLogEvent(ENTRIES[2]).context_string == ""


# EventLogFormatter


@pytest.mark.parametrize("kwargs,text", [
    ({"format": "yaml"}, "Invalid entry_fmt: yaml"),
    ({"timestamp_format": "local"}, "Invalid timestamp_fmt: local"),
    ({"color": "yes"}, "Invalid color: yes"),
])
def test_formatter_rejects_unknown_choices(kwargs, text):
    with pytest.raises(ValueError) as exc:
        EventLogFormatter(**kwargs)
    assert str(exc.value) == text


def test_formatter_raw_is_the_default():
    assert lines(EventLogFormatter(color="never")) == RAW.splitlines()


def test_formatter_raw_pads_to_eleven_columns():
    evf = EventLogFormatter(color="never")
    assert evf.format({"timestamp": 1.5, "name": "a"}) == "   1.500000 a"


def test_formatter_offset_counts_from_the_first_entry():
    evf = EventLogFormatter(timestamp_format="offset", color="never")
    assert lines(evf) == OFFSET.splitlines()
    assert evf.t0 == 1700000000.25
    # A second formatter starts again.
    evf = EventLogFormatter(timestamp_format="offset", color="never")
    assert evf.format(ENTRIES[3]).startswith("       0.000000 exception")


def test_formatter_iso_utc(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="iso", color="never")
    assert lines(evf) == ISO_UTC.splitlines()


def test_formatter_iso_other_zone(tz):
    tz("EST5")
    evf = EventLogFormatter(timestamp_format="iso", color="never")
    assert lines(evf, ENTRIES[:3]) == ISO_EST.splitlines()


def test_formatter_iso_truncates_microseconds(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="iso", color="never")
    # Not rounded up into the next second.
    assert (evf.format({"timestamp": 1700000000.9999996, "name": "a"})
            == "2023-11-14T22:13:20.999999Z a")


def test_formatter_human(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="human", color="never")
    assert lines(evf) == HUMAN.splitlines()


def test_formatter_reltime_is_human(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="reltime", color="never")
    assert evf.timestamp_format == "human"
    assert lines(evf) == HUMAN.splitlines()


def test_formatter_human_earlier_entry_and_local_time(tz):
    tz("EST5")
    evf = EventLogFormatter(timestamp_format="human", color="never")
    assert evf.format({"timestamp": 1700000010, "name": "a"}) == \
        "[Nov14 17:13] a"
    assert evf.format({"timestamp": 1700000007.5, "name": "b"}) == \
        "[  -2.500000] b"
    # Exactly a minute after the last full time: a full time again.
    assert evf.format({"timestamp": 1700000070, "name": "c"}) == \
        "[Nov14 17:14] c"


def test_formatter_color_always(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="human", color="always")
    assert evf.color is True
    assert lines(evf) == HUMAN_COLOR


def test_formatter_color_raw_timestamp():
    evf = EventLogFormatter(color="always")
    assert evf.format({"timestamp": 1.5, "name": "a",
                       "context": {"k": "v"}}) == (
        f"{E}32m   1.500000{E}0m {E}33ma{E}0m {E}34mk{E}0m={E}35m\"v\"{E}0m")


def test_formatter_colors_can_be_changed():
    class Red(EventLogFormatter):
        eventlog_colors = dict(EventLogFormatter.eventlog_colors,
                               name=EventLogFormatter.RED)

    evf = Red(color="always")
    assert evf.format({"timestamp": 1.5, "name": "a"}) == (
        f"{E}32m   1.500000{E}0m {E}31ma{E}0m")


def test_formatter_color_auto_follows_stdout(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert EventLogFormatter().color is False
    assert EventLogFormatter(color="auto").format(ENTRIES[2]) == \
        "1700000001.125000 start"
    monkeypatch.setattr("sys.stdout", Terminal())
    evf = EventLogFormatter()
    assert evf.color is True
    assert evf.format(ENTRIES[2]) == \
        f"{E}32m1700000001.125000{E}0m {E}33mstart{E}0m"


def test_formatter_never_has_no_escapes(tz):
    tz("UTC")
    evf = EventLogFormatter(timestamp_format="human", color="never")
    assert evf.color is False
    assert not any("\033" in line for line in lines(evf))


def test_formatter_json():
    evf = EventLogFormatter(format="json")
    assert lines(evf) == JSON.splitlines()


def test_formatter_json_keeps_other_keys():
    evf = EventLogFormatter(format="json")
    entry = {"name": "a", "timestamp": 1, "rank": 3, "context": {}}
    assert evf.format(entry) == '{"name":"a","timestamp":1,"rank":3}'
    assert entry["context"] == {}  # the entry itself is left alone


def test_formatter_takes_json_text_and_events():
    evf = EventLogFormatter(color="never")
    assert [evf.format(line) for line in EVENTLOG.splitlines()] == \
        RAW.splitlines()
    assert evf.format(EventLogEvent(ENTRIES[0])) == RAW.splitlines()[0]
