# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.util: the helpers that need no job system, no broker needed."""

import argparse
import errno
import json
import math
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta

import pytest

import flux.util as util
from flux.core.inner import ffi, lib
from flux.util import (
    AltField,
    ColorAction,
    Deduplicator,
    DisplayValue,
    Fileref,
    FilterAction,
    FilterActionSetUpdate,
    FilterActionUser,
    FilterTrueAction,
    OutputFormat,
    Tree,
    TreedictAction,
    UtilConfig,
    UtilDatetime,
    UtilFormatter,
    YesNoAction,
    check_future_error,
    del_treedict,
    dict_merge,
    empty_outputs,
    encode_payload,
    encode_topic,
    fsd,
    get_treedict,
    help_formatter,
    interruptible,
    parse_datetime,
    parse_fsd,
    set_treedict,
    xdg_searchpath,
)


def test_all():
    assert set(util.__all__) == {"check_future_error", "encode_payload",
                                 "encode_topic", "CLIMain", "parse_fsd"}


# Payloads, topics, future decorators.


def test_encode_payload():
    assert encode_payload(None) == ffi.NULL
    assert encode_payload(ffi.NULL) == ffi.NULL
    assert encode_payload("héllo") == "héllo".encode()
    assert encode_payload("\udcff") == b"\xff"  # surrogateescape
    assert encode_payload(b"\x00raw") == b"\x00raw"
    # JSON, non-ASCII kept as UTF-8 rather than \\u escapes
    assert encode_payload({"a": "é"}) == '{"a": "é"}'.encode()
    assert encode_payload([1, 2]) == b"[1, 2]"
    assert encode_payload(5) == b"5"


def test_encode_topic():
    assert encode_topic("a.b") == b"a.b"
    assert encode_topic(b"a.b") == b"a.b"
    for bad in (None, ffi.NULL):
        with pytest.raises(OSError) as exc:
            encode_topic(bad)
        assert exc.value.errno == errno.EINVAL
        assert exc.value.strerror == "Topic must not be None/NULL"
    with pytest.raises(TypeError) as exc:
        encode_topic(42)
    assert exc.value.args == (errno.EINVAL,
                              "Topic must be a string, not <class 'int'>")


class _FakeFuture:
    """A C future failed with errno and (optionally) a text."""

    def __init__(self, errnum, text=None):
        self.handle = ffi.gc(lib.flux_future_create(ffi.NULL, ffi.NULL),
                             lib.flux_future_destroy)
        lib.flux_future_fulfill_error(self.handle, errnum,
                                      text.encode() if text else ffi.NULL)

    @check_future_error
    def get(self):
        if lib.flux_future_get(self.handle, ffi.NULL) < 0:
            raise OSError(ffi.errno, os.strerror(ffi.errno))
        return "ok"

    @check_future_error
    def other_error(self):
        raise ValueError("not an OSError")


def test_check_future_error_uses_the_future_text():
    with pytest.raises(OSError) as exc:
        _FakeFuture(errno.EPERM, "you may not").get()
    assert exc.value.errno == errno.EPERM
    assert exc.value.strerror == "you may not"
    assert isinstance(exc.value, PermissionError)


def test_check_future_error_without_text_keeps_the_error():
    with pytest.raises(OSError) as exc:
        _FakeFuture(errno.ENOENT).get()
    assert exc.value.errno == errno.ENOENT
    assert exc.value.strerror == os.strerror(errno.ENOENT)
    with pytest.raises(ValueError, match="not an OSError"):
        _FakeFuture(errno.ENOENT).other_error()


class _Handle:
    def __init__(self, running):
        self.running = running

    def reactor_running(self):
        return self.running


class _SigFuture:
    def __init__(self, handle):
        self.handle_ = handle

    def get_flux(self):
        return self.handle_

    @interruptible
    def disposition(self):
        return signal.getsignal(signal.SIGINT)


def test_interruptible_outside_the_reactor():
    def handler(signum, frame):
        pass

    saved = signal.signal(signal.SIGINT, handler)
    try:
        assert _SigFuture(_Handle(False)).disposition() == signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) is handler
        # inside a running reactor, without a handle: left alone
        assert _SigFuture(_Handle(True)).disposition() is handler
        assert _SigFuture(None).disposition() is handler
        # off the main thread: left alone
        result = []
        thread = threading.Thread(
            target=lambda: result.append(
                _SigFuture(_Handle(False)).disposition()))
        thread.start()
        thread.join()
        assert result == [handler]
    finally:
        signal.signal(signal.SIGINT, saved)


# Dotted keys.


def test_get_treedict():
    d = {"a": {"b": {"c": 42}}, "x": 1}
    assert get_treedict(d, "a.b.c") == 42
    assert get_treedict(d, "a.b") == {"c": 42}
    assert get_treedict(d, "x") == 1
    assert get_treedict(d, "a.b.z") is None
    assert get_treedict(d, "a.q.c", default="dflt") == "dflt"
    assert get_treedict(d, "nope", 7) == 7


def test_set_treedict():
    d = {}
    set_treedict(d, "a.b.c", 42)
    set_treedict(d, "a.d", 1)
    set_treedict(d, "top", "v")
    assert d == {"a": {"b": {"c": 42}, "d": 1}, "top": "v"}
    set_treedict(d, "a.b", 0)
    assert d["a"] == {"b": 0, "d": 1}


def test_del_treedict():
    d = {"a": {"b": {"c": 1}}, "x": {"y": 2, "z": 3}}
    del_treedict(d, "x.y")
    assert d["x"] == {"z": 3}
    del_treedict(d, "a.b.c")
    assert d["a"] == {"b": {}}
    d = {"a": {"b": {"c": 1}}, "k": 0}
    del_treedict(d, "a.b.c", remove_empty=True)
    assert d == {"k": 0}
    with pytest.raises(KeyError):
        del_treedict(d, "nope.x")
    with pytest.raises(KeyError):
        del_treedict(d, "nope")


def test_dict_merge():
    src = {"a": {"b": 1, "c": 2}, "x": 1, "keep": 1}
    result = dict_merge(src, {"a": {"c": 3, "d": 4}, "x": {"y": 1},
                              "keep": 1.0, "new": [1]})
    assert result is src
    assert src == {"a": {"b": 1, "c": 3, "d": 4}, "x": {"y": 1},
                   "keep": 1, "new": [1]}
    assert isinstance(src["keep"], int)  # an equal value is not replaced


# Command line tools.


def _parser(**kw):
    return argparse.ArgumentParser(prog="tool",
                                   formatter_class=help_formatter(**kw))


def test_help_formatter():
    parser = _parser()
    parser.add_argument("-v", "--verbose", action="store_true", help="talk")
    parser.add_argument("--level", help="a level")
    parser.add_argument("-n", "--name", metavar="NAME", help="a name")
    parser.add_argument("file", help="a file")
    text = parser.format_help()
    lines = text.splitlines()
    assert any(line.startswith("  -v, --verbose ") for line in lines)
    assert any(line.startswith("      --level=LEVEL ") for line in lines)
    assert any(line.startswith("  -n, --name=NAME ") for line in lines)
    assert any(line.startswith("  file ") for line in lines)


def test_help_formatter_hidden_and_raw():
    parser = _parser(raw_description=True)
    parser.description = "line one\n   indented"
    action = parser.add_argument("-x", "--ex", "--old-ex", help="x")
    action.hidden_option_strings = ["--old-ex"]
    text = parser.format_help()
    assert "line one\n   indented" in text
    assert "-x, --ex=EX" in text
    assert "--old-ex" not in text
    # without raw_description the description is re-wrapped
    parser = _parser()
    parser.description = "line one\n   indented"
    assert "line one indented" in parser.format_help()


def test_help_formatter_argwidth():
    narrow = _parser(argwidth=20)
    wide = _parser(argwidth=60)
    for parser in (narrow, wide):
        parser.add_argument("--a-fairly-long-option", help="HELPTEXT")
    narrow_line = [l for l in narrow.format_help().splitlines()
                   if "HELPTEXT" in l][0]
    wide_line = [l for l in wide.format_help().splitlines()
                 if "HELPTEXT" in l][0]
    assert "--a-fairly" not in narrow_line  # help moved to its own line
    assert "--a-fairly-long-option=A_FAIRLY_LONG_OPTION" in wide_line


def test_treedict_action():
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action=TreedictAction, nargs="+")
    args = parser.parse_args(["--set", "a.b=1", "a.c=x", "d=[1, 2]",
                              "e={\"k\": true}"])
    assert args.set == {"a": {"b": 1, "c": "x"}, "d": [1, 2],
                        "e": {"k": True}}
    with pytest.raises(ValueError, match="Missing required value for key a"):
        parser.parse_args(["--set", "a"])


def test_filter_actions():
    parser = argparse.ArgumentParser()
    parser.add_argument("--f", action=FilterAction)
    parser.add_argument("--s", action=FilterActionSetUpdate, default=set())
    parser.add_argument("--u", action=FilterActionUser)
    parser.add_argument("--t", action=FilterTrueAction)
    args = parser.parse_args([])
    assert args.t is False and not hasattr(args, "filtered")
    args = parser.parse_args(["--f", "v"])
    assert args.f == "v" and args.filtered is True
    args = parser.parse_args(["--s", "a,b", "--s", "c"])
    assert args.s == {"a", "b", "c"} and args.filtered
    args = parser.parse_args(["--u", "bob"])
    assert args.u == "bob" and args.filtered and args.filtereduser
    args = parser.parse_args(["--t"])
    assert args.t is True and args.filtered


def test_yes_no_action():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", action=YesNoAction)
    assert parser.parse_args(["--opt", "yes"]).opt is True
    assert parser.parse_args(["--opt=no"]).opt is False
    assert parser.parse_args([]).opt is None
    with pytest.raises(ValueError, match="--opt requires either 'yes' or 'no'"):
        parser.parse_args(["--opt", "maybe"])
    assert "[yes|no]" in parser.format_help()


def test_color_action(monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", action=ColorAction)
    args = parser.parse_args([])
    assert args.color == "auto"
    assert isinstance(args.color, ColorAction.ColorWhen)
    assert parser.parse_args(["--color"]).color == "always"
    assert parser.parse_args(["--color"]).color.enabled is True
    assert parser.parse_args(["--color=never"]).color.enabled is False
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert parser.parse_args(["--color=auto"]).color.enabled is False
    with pytest.raises(SystemExit):
        parser.parse_args(["--color=sometimes"])
    assert "Invalid argument to --color: 'sometimes'" in capsys.readouterr().err
    monkeypatch.setenv("NO_COLOR", "1")
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", action=ColorAction)
    assert parser.parse_args([]).color == "never"
    monkeypatch.setenv("NO_COLOR", "")
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", action=ColorAction)
    assert parser.parse_args([]).color == "auto"


def _climain(body, env=None):
    script = textwrap.dedent(
        """
        import logging, sys
        from flux.util import CLIMain
        LOGGER = logging.getLogger("flux-test")

        @CLIMain(LOGGER)
        def main():
            LOGGER.debug("debugging")
        """
    ) + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-c", script], env=full_env,
                          capture_output=True, text=True, timeout=60)


def test_climain_success_and_exit_codes():
    proc = _climain("print('hi')")
    assert proc.returncode == 0 and proc.stdout == "hi\n"
    assert proc.stderr == ""
    proc = _climain("sys.exit(3)")
    assert proc.returncode == 3 and proc.stderr == ""


def test_climain_errors():
    proc = _climain("raise ValueError('bad value')")
    assert proc.returncode == 1
    assert proc.stderr == "flux-test: ERROR: bad value\n"
    proc = _climain("open('/nonexistent/x')")
    assert proc.returncode == 1
    assert proc.stderr == ("flux-test: ERROR: No such file or directory: "
                           "'/nonexistent/x'\n")
    proc = _climain("raise OSError(5, 'I/O trouble')")
    assert proc.stderr == "flux-test: ERROR: I/O trouble\n"


def test_climain_loglevel():
    proc = _climain("raise RuntimeError('boom')",
                    env={"FLUX_PYCLI_LOGLEVEL": "10"})
    assert proc.returncode == 1
    assert "flux-test: DEBUG: debugging\n" in proc.stderr
    assert "flux-test: ERROR: boom\n" in proc.stderr
    assert "Traceback (most recent call last)" in proc.stderr


# Durations and dates.


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("0", 0.0), ("1.5", 1.5), ("10s", 10.0), ("2.5ms", 0.0025),
        ("1m", 60.0), ("1.5h", 5400.0), ("2d", 172800.0), ("1e2s", 100.0),
        ("inf", math.inf), ("INFINITY", math.inf), ("infinity", math.inf),
    ],
)
def test_parse_fsd(text, seconds):
    assert parse_fsd(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "x", "1x", "s", "-1", "-1m", "nan", "1.5.5s", "infs",
             "inf s", "-inf"],
)
def test_parse_fsd_invalid(text):
    with pytest.raises(ValueError, match="^invalid Flux standard duration$"):
        parse_fsd(text)


def test_parse_fsd_odd_input():
    # float() rules apply to the number, timedelta's to the units
    assert parse_fsd(" 2 m") == 120.0
    with pytest.raises(ValueError):
        parse_fsd("nanm")
    with pytest.raises(TypeError):
        parse_fsd(5)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0s"), (0.0004, "0s"), (0.5, "0.500s"), (9.9994, "9.999s"),
        (10, "10s"), (59.5, "59.5s"), (90, "1.5m"), (3599, "59.98m"),
        (3600, "1h"), (5400, "1.5h"), (86400, "1d"), (1.5 * 86400, "1.5d"),
        (math.inf, "inf"),
    ],
)
def test_fsd(seconds, text):
    assert fsd(seconds) == text


def test_parse_datetime_offsets():
    now = datetime(2024, 3, 1, 12, 0, 0).astimezone()
    assert parse_datetime("now", now=now) is now
    later = parse_datetime("+1h", now=now)
    assert later - now == timedelta(hours=1)
    assert later.tzinfo is not None
    assert now - parse_datetime("-30s", now=now) == timedelta(seconds=30)
    assert parse_datetime("+0", now=now) == now
    with pytest.raises(ValueError, match="invalid Flux standard duration"):
        parse_datetime("+soon", now=now)
    # default now: the current time
    before = datetime.now().astimezone()
    result = parse_datetime("+1m")
    assert result - before >= timedelta(seconds=59)


def test_parse_datetime_dates():
    result = parse_datetime("2024-03-01 08:30:00")
    assert result.tzinfo is not None
    assert (result.year, result.month, result.day, result.hour,
            result.minute) == (2024, 3, 1, 8, 30)
    with pytest.raises(ValueError) as exc:
        parse_datetime("not a date at all")
    assert str(exc.value) == 'Invalid datetime: "not a date at all"'


# Formatting.


def test_util_datetime_format():
    stamp = UtilDatetime(2024, 3, 1, 8, 5, 9)
    assert f"{stamp:%H:%M}" == "08:05"
    assert f"{stamp:%H:%M::>8}" == "   08:05"
    assert f"{stamp}" == "2024-03-01T08:05:09"
    assert f"{stamp:::<20}" == "2024-03-01T08:05:09 "
    epoch = UtilDatetime.fromtimestamp(0.0)
    assert f"{epoch:%H:%M}" == ""
    assert f"{epoch:%H:%M::>4h}" == "   -"
    assert f"{stamp:%H::h}" == "08"


def test_empty_outputs():
    empty = empty_outputs()
    for value in ("", "0s", "0.0", "0:00:00", "1970-01-01T00:00:00"):
        assert value in empty
    assert datetime.fromtimestamp(0.0).strftime("%FT%T") in empty


def test_util_formatter_conversions():
    fmt = UtilFormatter()
    stamp = datetime(2024, 3, 1, 8, 5, 9).timestamp()
    assert fmt.format("{0!d:%H:%M}", stamp) == "08:05"
    assert fmt.format("{0!d:%b%d::>8}", stamp) == "   Mar01"
    assert fmt.format("{0!d:%H:%M}", "") == ""
    assert fmt.format("{0!D}", stamp) == "2024-03-01T08:05:09"
    assert fmt.format("{0!D}", 0) == ""
    assert fmt.format("{0!F}", 90) == "1.5m"
    assert fmt.format("{0!F}", "") == ""
    assert fmt.format("{0!H}", 3725) == "1:02:05"
    assert fmt.format("{0!H}", 0.2) == "0:00:01"
    assert fmt.format("{0!H}", 0) == "0:00:00"
    assert fmt.format("{0!H}", "") == ""
    assert fmt.format("{0!P}", 0.5) == "50%"
    assert fmt.format("{0!P}", 0.001) == "0.10%"
    assert fmt.format("{0!P}", 0) == "0%"
    assert fmt.format("{0!P}", "") == ""
    assert fmt.format("{0!r}", "x") == "'x'"
    with pytest.raises(TypeError):
        fmt.format("{0!F}", "abc")
    with pytest.raises(TypeError):
        fmt.format("{0!d}", "abc")


def test_util_formatter_spec_suffixes():
    fmt = UtilFormatter()
    assert fmt.format("{0:>3h}", "") == "  -"
    assert fmt.format("{0:h}", "0s") == "-"
    assert fmt.format("{0:h}", 0.0) == "-"
    assert fmt.format("{0:>4h}", "abc") == " abc"
    assert fmt.format("{0:>4h}", 12) == "  12"
    assert fmt.format("{0:.3+}", "abcdef") == "ab+"
    assert fmt.format("{0:.6+}", "abcdef") == "abcdef"
    assert fmt.format("{0:<5.5h+}", "abcdefgh") == "abcd+"
    assert fmt.format("{0:.5+}", "") == ""


def test_alt_field():
    field = AltField("─", "-")
    assert str(field) == "─"
    assert f"{field:>3}" == "  ─"
    assert "{0.ascii}".format(field) == "-"


def test_display_value_order():
    values = ["b", 10, None, "", "2", 1.5, True, "-", "a", "100", False]
    result = sorted(values, key=DisplayValue)
    # empty first (stable among themselves), numbers by value, strings
    assert result[:3] == [None, "", "-"]
    assert result[3:9] == [False, True, 1.5, "2", 10, "100"]
    assert result[9:] == ["a", "b"]
    assert DisplayValue("10") == DisplayValue(10)
    assert DisplayValue(None) == DisplayValue("-")
    assert DisplayValue(5) < DisplayValue("foo")
    assert DisplayValue("5") <= DisplayValue(5.0)
    assert repr(DisplayValue("x")) == \
        "DisplayValue('x', type_order=2, sort_value='x')"


class _Item:
    def __init__(self, **kw):
        self.__dict__.update(kw)


HEADINGS = {"id": "ID", "name": "NAME", "n": "N", "extra": "EXTRA_INFO"}


def test_output_format_basics():
    fmt = OutputFormat("{id:>4} {name:<6}", headings=HEADINGS)
    assert sorted(fmt.fields) == ["id", "name"]
    assert fmt.get_format() == "{0.id:>4} {0.name:<6}"
    assert fmt.get_format(orig=True) == "{id:>4} {name:<6}"
    assert fmt.header() == "  ID NAME  "
    assert fmt.format(_Item(id=7, name="abc")) == "   7 abc   "
    assert fmt.header(width=5) == "  ID+"
    assert fmt.header(width=50) == "  ID NAME  "


def test_output_format_errors():
    with pytest.raises(ValueError, match="Unknown format field: bogus"):
        OutputFormat("{id} {bogus}", headings=HEADINGS)
    with pytest.raises(ValueError):
        OutputFormat("{id", headings=HEADINGS)
    fmt = OutputFormat("{id} {name}", headings=HEADINGS)
    with pytest.raises(AttributeError):
        fmt.format(_Item(id=1))
    with pytest.raises(KeyError) as exc:
        OutputFormat("{d[k]}", headings={"d[k]": "D"}).format(_Item(d={}))
    assert exc.value.args == (f"Invalid format field 'k' for {_Item}",)
    with pytest.raises(ValueError, match="Invalid sort key: bogus"):
        fmt.set_sort_keys("id,bogus")


def test_output_format_header_drops_numeric_spec():
    fmt = OutputFormat("{n:>6.2f}|{id!r:^5}", headings=HEADINGS)
    assert fmt.header() == "     N| ID  "
    assert fmt.format(_Item(n=3.14159, id=1)) == "  3.14|  1  "


def test_output_format_prepend():
    fmt = OutputFormat("{id} {0.name}", headings=HEADINGS)
    assert fmt.get_format() == "{0.id} {0.name}"
    fmt = OutputFormat("{id}", headings=HEADINGS, prepend="")
    assert fmt.get_format() == "{id}"
    assert fmt.get_format_prepended("x.") == "{x.id}"


def test_output_format_sort_prefix(capsys):
    fmt = OutputFormat("sort:-n,name {name} {n}", headings=HEADINGS)
    assert fmt.sort_keys == [("n", True), ("name", False)]
    assert sorted(fmt.fields) == ["n", "name"]
    assert fmt.get_format() == "sort:-n,name {0.name} {0.n}"
    assert fmt.get_format(include_sort_prefix=False) == "{0.name} {0.n}"
    items = [_Item(name="b", n=1), _Item(name="a", n=2), _Item(name="c", n=2),
             _Item(name="d", n="")]
    assert [i.name for i in fmt.sort_items(list(items))] == ["a", "c", "b", "d"]
    fmt.print_items(items)
    assert capsys.readouterr().out.splitlines() == [
        "NAME N", "a 2", "c 2", "b 1", "d "]
    # sort keys may come without a trailing space, and from set_sort_keys
    fmt = OutputFormat("sort:id{id}", headings=HEADINGS)
    assert fmt.sort_keys == [("id", False)]
    assert fmt.get_format() == "sort:id{0.id}"
    fmt.set_sort_keys("-id,,")
    assert fmt.sort_keys == [("id", True)]


def test_output_format_sentinels():
    fmt = OutputFormat("{id:>3} ?:{name:<10} +:{extra:<2} ?+:{n}",
                       headings=HEADINGS)
    items = [_Item(id=1, name="", extra="x", n=""),
             _Item(id=2, name="", extra="longer-value", n=12345)]
    assert fmt.filter(items) == "{id:>3} {extra:<12} {n:5}"
    fmt = OutputFormat("{id:>3} ?:{name:<10} +:{extra:<2} ?+:{n}",
                       headings=HEADINGS)
    # widths come from the headings too, unless no_header
    assert fmt.filter([_Item(id=1, name="x", extra="", n="")]) == \
        "{id:>3} {name:<10} {extra:<10}"
    fmt = OutputFormat("+:{extra:<2}", headings=HEADINGS)
    assert fmt.filter([_Item(extra="ab")], no_header=True) == "{extra:<2}"
    # nothing to filter: the format as given
    fmt = OutputFormat("sort:id {id}", headings=HEADINGS)
    assert fmt.filter([]) == "sort:id {id}"


def test_output_format_print_items(capsys):
    fmt = OutputFormat("{id:>3} ?:{name} +:{extra}", headings=HEADINGS)
    items = [_Item(id=1, name="", extra="a"), _Item(id=2, name="", extra=""),
             _Item(id=30, name="", extra="abc")]
    seen = []
    fmt.print_items(items, pre=lambda i: seen.append(("pre", i.id)),
                    post=lambda i: seen.append(("post", i.id)))
    assert capsys.readouterr().out.splitlines() == [
        " ID EXTRA_INFO", "  1 a         ", "  2           ",
        " 30 abc       "]
    assert seen[:2] == [("pre", 1), ("post", 1)] and len(seen) == 6
    fmt = OutputFormat("{name}", headings=HEADINGS)
    fmt.print_items([_Item(name=""), _Item(name="abcdefgh")], no_header=True,
                    width=5)
    # blank lines are skipped, long ones cut
    assert capsys.readouterr().out == "abcd+\n"


def test_output_format_copy_and_except_fields():
    fmt = OutputFormat("sort:id {id:>3} {name:<5} +:{extra:>8}",
                       headings=HEADINGS)
    copy = fmt.copy(except_fields=["name"])
    assert isinstance(copy, OutputFormat)
    assert copy.get_format() == "sort:id {0.id:>3} +:{0.extra:>8}"
    copy = fmt.copy(nullify_expansion=True)
    # (the sentinel goes with the text before it)
    assert copy.get_format() == "sort:id {0.id:>3} {0.name:<5}{0.extra}"
    assert fmt.get_format_prepended("", except_fields=["id"],
                                    include_sort_prefix=False) == \
        " {name:<5} +:{extra:>8}"


def test_output_format_format_spec():
    spec = OutputFormat.FormatSpec("*>10.3f")
    assert (spec.fill, spec.align, spec.width, spec.precision, spec.type) == \
        ("*", ">", 10, 3, "f")
    assert str(spec) == "*>10.3f"
    spec = OutputFormat.FormatSpec("<5.5h+")
    spec.width = 12  # a string precision follows the width
    assert str(spec) == "<12.12h+"
    assert OutputFormat.FormatSpec("%H::>4").width == 4
    assert OutputFormat.FormatSpec("").width == ""


def test_deduplicator():
    fmt = OutputFormat("{name} {n}", headings=HEADINGS)

    def combine(existing, new):
        existing.n += new.n

    dedup = Deduplicator(fmt, except_fields=["n"], combine=combine)
    for name, n in (("a", 1), ("b", 2), ("a", 3), ("a", 4)):
        dedup.append(_Item(name=name, n=n))
    assert [(i.name, i.n) for i in dedup] == [("a", 8), ("b", 2)]
    assert len(list(dedup)) == 2  # iterable again
    plain = Deduplicator(fmt)
    plain.append(_Item(name="a", n=1))
    plain.append(_Item(name="a", n=1))
    plain.append(_Item(name="a", n=2))
    assert len(plain.items) == 2


def test_tree_render(capsys):
    root = Tree("root")
    child = root.append("child")
    child.append("grandchild")
    root.append("child2", prefix="P")
    root.render(style="ascii")
    assert capsys.readouterr().out.splitlines() == [
        "root",
        "|-- child",
        "|   `-- grandchild",
        "P `-- child2",
    ]
    root.render()
    assert capsys.readouterr().out.splitlines() == [
        "root", "├── child", "│   └── grandchild", "P └── child2"]
    root.render(style="compact", level=1)
    assert capsys.readouterr().out.splitlines() == [
        "root", "├─child", "P └─child2"]
    root.render(style="ascii", skip_root=True)
    assert capsys.readouterr().out.splitlines() == ["child", "`-- grandchild",
                                                    "P child2"]


def test_tree_combine_and_truncate(capsys, monkeypatch):
    root = Tree("jobs", combine_children=True)
    assert root.append("sleep") is root.append("sleep")
    root.append("other")
    sub = Tree("sleep")
    assert root.append_tree(sub) is not sub  # combined with the first
    withkids = Tree("sleep")
    withkids.append("x")
    assert root.append_tree(withkids) is withkids  # has children: kept
    root.add("sleep")  # add() never combines
    root.render(style="ascii", truncate=False)
    assert capsys.readouterr().out.splitlines() == [
        "jobs", "|-- 3*[sleep]", "|-- other", "|-- sleep", "|   `-- x",
        "`-- sleep"]
    monkeypatch.setenv("COLUMNS", "8")
    Tree("a-very-long-label").render()
    assert capsys.readouterr().out == "a-very-+\n"


def test_xdg_searchpath(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", "/a:/b")
    assert [str(p) for p in xdg_searchpath()] == [
        f"{tmp_path}/home/flux", "/a/flux", "/b/flux"]
    assert [str(p) for p in xdg_searchpath("sub")][1] == "/a/flux/sub"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert [str(p) for p in xdg_searchpath()] == [
        os.path.expanduser("~/.config/flux"), "/etc/xdg/flux"]


@pytest.fixture
def xdg(monkeypatch, tmp_path):
    home = tmp_path / "home" / "flux"
    system = tmp_path / "etc" / "flux"
    home.mkdir(parents=True)
    system.mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc"))
    monkeypatch.delenv("FLUX_MYTOOL_FORMAT_DEFAULT", raising=False)
    monkeypatch.delenv("FLUX_MYTOOL_SUB_FORMAT_DEFAULT", raising=False)
    return home, system


def test_util_config_precedence(xdg):
    home, system = xdg
    (system / "flux-mytool.json").write_text(json.dumps(
        {"a": 1, "b": {"x": 1, "y": 1}, "formats": {
            "long": {"description": "long one", "format": "{id} {name}"}}}))
    (home / "flux-mytool.toml").write_text('b = { y = 2 }\nc = "home"\n')
    (home / "flux-mytool.txt").write_text("ignored")
    (home / "other.json").write_text('{"a": 99}')
    config = UtilConfig("flux-mytool", initial_dict={"a": 0, "z": True})
    assert config.load() is config
    assert config.a == 1 and config.z is True and config.c == "home"
    assert config.b == {"x": 1, "y": 2}
    with pytest.raises(KeyError):
        config.nope  # pylint: disable=pointless-statement
    assert config.get_format_string("long") == "{id} {name}"
    assert config.get_format_string("{id}") == "{id}"
    with pytest.raises(ValueError) as exc:
        config.get_format_string("id name")
    assert str(exc.value) == ("--format: No such format id name "
                              "(Did you mean '{id} {name}'?)")


def test_util_config_subcommand_and_default(xdg, monkeypatch, capsys):
    home, _ = xdg
    (home / "flux-mytool.json").write_text(json.dumps(
        {"sub": {"formats": {"default": {"format": "{id}"},
                             "wide": {"format": "{id} {name}"}}}}))
    config = UtilConfig("flux-mytool", subcommand="sub").load()
    assert config.get_format_string("default") == "{id}"
    monkeypatch.setenv("FLUX_MYTOOL_SUB_FORMAT_DEFAULT", "wide")
    assert config.get_format_string("default") == "{id} {name}"
    monkeypatch.setenv("FLUX_MYTOOL_SUB_FORMAT_DEFAULT", "{name}")
    assert config.get_format_string("default") == "{name}"
    with pytest.raises(SystemExit) as exc:
        config.get_format_string("get-config=wide")
    assert exc.value.code == 0
    assert capsys.readouterr().out == \
        '[sub.formats.wide]\nformat = "{id} {name}"\n'
    with pytest.raises(ValueError, match="--format: No such format nope"):
        config.get_format_string("get-config=nope")
    with pytest.raises(SystemExit):
        config.get_format_string("help")
    out = capsys.readouterr().out
    assert "Configured flux-mytool output formats:" in out
    assert "  default" in out and "  wide" in out
    # toolname names the environment variable
    (home / "mytool.json").write_text(json.dumps(
        {"sub": {"formats": {"default": {"format": "{id}"}}}}))
    tool = UtilConfig("mytool", toolname="flux-mytool", subcommand="sub")
    assert tool.load().get_format_string("default") == "{name}"


def test_util_config_bad_file(xdg):
    home, _ = xdg
    (home / "flux-mytool.json").write_text("{not json")
    with pytest.raises(ValueError) as exc:
        UtilConfig("flux-mytool").load()
    assert str(exc.value).startswith(f"{home}/flux-mytool.json: ")


def test_util_config_validate_hook(xdg):
    home, _ = xdg
    (home / "flux-mytool.json").write_text('{"formats": {"x": {}}}')
    seen = []

    class Config(UtilConfig):
        def validate(self, path, conf):
            seen.append((path, conf))
            self.validate_formats(path, conf["formats"])

    with pytest.raises(ValueError, match="required key 'format' missing"):
        Config("flux-mytool").load()
    assert seen == [(f"{home}/flux-mytool.json", {"formats": {"x": {}}})]


def test_util_config_validate_formats():
    class Config(UtilConfig):
        builtin_formats = {"default": {"format": "{id}"}}

    config = Config("x")
    config.validate_formats("f", {"mine": {"format": "{id}"}})
    for formats, text in [
        ([], "f: the 'formats' key must be a mapping"),
        ({"default": {"format": "{x}"}},
         "f: override of builtin format 'default' not permitted"),
        ({"a": "b"}, "f: 'formats.a' must be a mapping"),
        ({"a": {}}, "f: formats.a: required key 'format' missing"),
        ({"a": {"format": 1}}, "f: formats.a: 'format' key must be a string"),
    ]:
        with pytest.raises(ValueError) as exc:
            config.validate_formats("f", formats)
        assert str(exc.value) == text


def test_fileref(tmp_path):
    assert Fileref({"a": 1}) == {"mode": 0o600 | stat.S_IFREG,
                                 "data": {"a": 1}}
    assert Fileref("aGk=", perms=0o644, encoding="base64") == {
        "mode": 0o644 | stat.S_IFREG, "data": "aGk=", "encoding": "base64"}
    with pytest.raises(ValueError, match="invalid encoding"):
        Fileref("x", encoding="rot13")
    text = tmp_path / "text"
    text.write_text("héllo\n")
    text.chmod(0o640)
    ref = Fileref(str(text))
    assert ref == {"mode": stat.S_IFREG | 0o640, "size": 7,
                   "data": "héllo\n", "encoding": "utf-8"}
    assert json.loads(json.dumps(ref)) == ref
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\x00\x01")
    ref = Fileref(str(binary))
    assert ref["encoding"] == "base64" and ref["data"] == "/wAB"
    assert ref["size"] == 3
    with pytest.raises(FileNotFoundError):
        Fileref(str(tmp_path / "missing"))
