# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.util: helpers of flux-core's flux.util that need no job system.

- payloads and topics as the C API takes them: encode_payload(),
  encode_topic(); check_future_error and interruptible, decorators for
  Future methods;
- dotted keys in nested dicts: get_treedict(), set_treedict(),
  del_treedict(), dict_merge();
- command line tools: CLIMain, help_formatter(), argparse actions
  (TreedictAction, YesNoAction, ColorAction, Filter*Action);
- Flux Standard Duration (RFC 23): parse_fsd(), fsd(); parse_datetime();
- output of flux-* tools: UtilFormatter (extra !d !D !F !H !P
  conversions and "h"/"+" spec suffixes), UtilDatetime, AltField,
  DisplayValue, OutputFormat, Deduplicator, Tree;
- UtilConfig (XDG config files for tools), xdg_searchpath(), Fileref
  (RFC 37 file objects).

Differences from flux-core: parse_datetime() understands "now", +FSD
and -FSD offsets and ISO 8601 dates; free-form text ("tomorrow 5pm")
needs the parsedatetime package, used if it is installed.  UtilConfig
reads .yaml files only if PyYAML is installed and .toml files only with
tomllib (Python >= 3.11) or tomli.
"""

import argparse
import base64
import copy
import errno
import functools
import glob
import json
import logging
import math
import os
import re
import shutil
import signal
import stat
import sys
import threading
import traceback
from collections import abc, namedtuple
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path, PurePosixPath
from string import Formatter
from typing import Mapping

from flux.core.inner import encode_payload, encode_topic, ffi, lib  # noqa: F401



def _optional_parsers():
    """(tomllib or None, yaml or None), imported on first use: PyYAML
    alone takes longer to import than the rest of the package.
    """
    try:
        import tomllib  # pylint: disable=import-outside-toplevel
    except ModuleNotFoundError:  # pragma: no cover - depends on the Python
        try:
            import tomli as tomllib  # pylint: disable=import-outside-toplevel
        except ModuleNotFoundError:
            tomllib = None
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ModuleNotFoundError:  # pragma: no cover - depends on the machine
        yaml = None
    return tomllib, yaml

__all__ = [
    "check_future_error",
    "encode_payload",
    "encode_topic",
    "CLIMain",
    "parse_fsd",
]


# Futures, payloads and topics.


def check_future_error(func):
    """Decorate a method of a Future (or of anything with a .handle that
    is a flux_future_t): an OSError it raises gets the future's error
    text, when the future has one, in place of strerror."""

    @functools.wraps(func)
    def func_wrapper(calling_obj, *args, **kwargs):
        try:
            return func(calling_obj, *args, **kwargs)
        except EnvironmentError as error:
            future = getattr(calling_obj, "handle", calling_obj)
            try:
                errmsg = lib.flux_future_error_string(future)
            except TypeError:
                raise error from None
            if errmsg == ffi.NULL:
                raise error from None
            raise EnvironmentError(
                error.errno, ffi.string(errmsg).decode("utf-8")
            ) from None

    return func_wrapper


def interruptible(func):
    """Decorate a Future method that may block in C so that Ctrl-C
    interrupts it: on the main thread, outside a running reactor,
    SIGINT gets its default action for the duration of the call.

    The future's handle must say whether its reactor is running
    (Flux.reactor_running()); for a handle that cannot say, signals are
    left alone.
    """

    @functools.wraps(func)
    def func_wrapper(future, *args, **kwargs):
        handle = future.get_flux()
        running = getattr(handle, "reactor_running", None)
        active = (
            threading.current_thread() is threading.main_thread()
            and handle is not None
            and running is not None
            and not running()
        )
        if active:
            saved = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        retval = func(future, *args, **kwargs)
        if active:
            signal.signal(signal.SIGINT, saved)
        return retval

    return func_wrapper


# encode_payload and encode_topic are flux.core.inner's (imported above):
# the handle, RPCs and messages use the same conversions.


# Nested dicts addressed by dotted keys.


def get_treedict(in_dict, key, default=None):
    """get_treedict(d, "a.b.c") is d["a"]["b"]["c"], or default if a
    level is missing."""
    node = in_dict
    *parents, last = key.split(".")
    for name in parents:
        try:
            node = node[name]
        except KeyError:
            return default
    return node.get(last, default)


def set_treedict(in_dict, key, val):
    """set_treedict(d, "a.b.c", 42) is d["a"]["b"]["c"] = 42, creating
    the levels that are missing."""
    *parents, last = key.split(".")
    node = in_dict
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = val


def del_treedict(in_dict, key, remove_empty=False):
    """del_treedict(d, "a.b.c") is del d["a"]["b"]["c"].

    KeyError if a level is missing.  remove_empty=True also removes the
    dicts the deletion leaves empty.
    """
    head, dot, rest = key.partition(".")
    if not dot:
        del in_dict[key]
        return
    del_treedict(in_dict[head], rest, remove_empty=remove_empty)
    child = in_dict[head]
    if remove_empty and isinstance(child, abc.Mapping) and not child:
        del in_dict[head]


def dict_merge(src, new):
    """Merge dict new into dict src, recursively (new wins); returns
    src."""
    for key in new:
        if key not in src:
            src[key] = new[key]
        elif isinstance(src[key], dict) and isinstance(new[key], dict):
            dict_merge(src[key], new[key])
        elif src[key] != new[key]:
            # (an equal value keeps the object src had: 1 stays 1, not 1.0)
            src[key] = new[key]
    return src


# Command line tools.


def help_formatter(argwidth=40, raw_description=False):
    """An argparse formatter_class that lists options as flux-core's
    tools do ("-o, --opt=ARG", long-only options aligned with the long
    options of the others), with argwidth columns for them."""
    required = ("_format_action_invocation", "_metavar_formatter",
                "_format_args")
    if not all(hasattr(argparse.HelpFormatter, name) for name in required):
        logging.getLogger(__name__).warning(
            "required argparse methods missing, falling back to HelpFormatter."
        )
        return lambda prog: argparse.HelpFormatter(
            prog, max_help_position=argwidth)

    class FluxHelpFormatter(argparse.HelpFormatter):
        def _format_action_invocation(self, action):
            if not action.option_strings:
                (metavar,) = self._metavar_formatter(action, action.dest)(1)
                return metavar
            hidden = getattr(action, "hidden_option_strings", ())
            opts = [opt for opt in action.option_strings if opt not in hidden]
            if len(opts) == 1 and len(opts[0]) > 2:
                # a long option only: leave room for a short one
                text = "    " + opts[0]
            else:
                text = ", ".join(opts)
            if action.nargs == 0:
                return text
            return text + "=" + self._format_args(action,
                                                  action.dest.upper())

    class FluxRawDescriptionHelpFormatter(
        FluxHelpFormatter, argparse.RawDescriptionHelpFormatter
    ):
        pass

    cls = (FluxRawDescriptionHelpFormatter if raw_description
           else FluxHelpFormatter)
    return lambda prog: cls(prog, max_help_position=argwidth)


class TreedictAction(argparse.Action):
    """Collect KEY=VALUE arguments into a dict, KEY dotted as in
    set_treedict() ("a.b=1" gives {"a": {"b": 1}}); VALUE is JSON if it
    parses as JSON, else a string."""

    def __call__(self, parser, namespace, values, option_string=None):
        result = {}
        for arg in values:
            key, sep, text = arg.partition("=")
            if not sep:
                raise ValueError(f"Missing required value for key {arg}")
            try:
                val = json.loads(text)
            except (json.JSONDecodeError, TypeError):
                val = text
            set_treedict(result, key, val)
            setattr(namespace, self.dest, result)


class FilterAction(argparse.Action):
    """Store the value and set namespace.filtered."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, "filtered", True)


class FilterActionSetUpdate(argparse.Action):
    """Add the comma separated values to the set in dest and set
    namespace.filtered."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, "filtered", True)
        getattr(namespace, self.dest).update(values.split(","))


class FilterActionUser(argparse.Action):
    """Store the value, set namespace.filtered and .filtereduser."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, "filtered", True)
        setattr(namespace, "filtereduser", True)
        setattr(namespace, self.dest, values)


# pylint: disable=redefined-builtin
class FilterTrueAction(argparse.Action):
    """A flag (no argument): store const (True) and set
    namespace.filtered."""

    def __init__(self, option_strings, dest, const=True, default=False,
                 required=False, help=None, metavar=None):
        super().__init__(option_strings=option_strings, dest=dest, nargs=0,
                         const=const, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, self.const)
        setattr(namespace, "filtered", True)


class YesNoAction(argparse.Action):
    """An option that takes "yes" or "no" and stores True or False."""

    def __init__(self, option_strings, dest, help=None, metavar="[yes|no]"):
        super().__init__(option_strings=option_strings, dest=dest,
                         help=help, metavar=metavar)

    def __call__(self, parser, namespace, value, option_string=None):
        if value not in ("yes", "no"):
            raise ValueError(f"{option_string} requires either 'yes' or 'no'")
        setattr(namespace, self.dest, value == "yes")


class ColorAction(argparse.Action):
    """--color[=WHEN], WHEN "always", "never" or "auto" (the default;
    "never" if NO_COLOR is set and not empty).  --color alone is
    "always".  The value is a ColorAction.ColorWhen, a str with an
    .enabled property (auto: stdout is a terminal)."""

    class ColorWhen(str):
        @property
        def enabled(self):
            if self == "always":
                return True
            if self == "never":
                return False
            return sys.stdout.isatty()

    def __init__(self, option_strings, dest, nargs="?", default="auto",
                 metavar="WHEN",
                 help="Use color; WHEN can be 'never', 'always' or 'auto' (default)",
                 **kwargs):
        if default == "auto" and os.environ.get("NO_COLOR"):
            default = "never"
        super().__init__(option_strings, dest, nargs=nargs,
                         default=ColorAction.ColorWhen(default),
                         metavar=metavar, help=help, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        if values is None:
            values = "always"
        if values not in ("auto", "always", "never"):
            parser.error(f"Invalid argument to --color: '{values}'")
        setattr(namespace, self.dest, ColorAction.ColorWhen(values))


class CLIMain:
    """Run the main function of a command line tool::

        LOGGER = logging.getLogger("flux-mytool")

        @CLIMain(LOGGER)
        def main():
            ...

    Logging is set up ("name: LEVEL: message", level from
    $FLUX_PYCLI_LOGLEVEL, default INFO).  An exception is logged as an
    error, its traceback at debug level, and the exit code is 1; an
    OSError shows its strerror (and filename), not "[Errno N]".
    sys.exit() codes pass through.  It always ends with sys.exit().
    """

    def __init__(self, logger=None):
        self.logger = logging.getLogger() if logger is None else logger

    def __call__(self, main_func):
        loglevel = int(os.environ.get("FLUX_PYCLI_LOGLEVEL", logging.INFO))
        logging.basicConfig(
            level=loglevel, format="%(name)s: %(levelname)s: %(message)s"
        )
        exit_code = 0
        try:
            main_func()
        except SystemExit as ex:
            exit_code = ex
        except Exception as ex:  # pylint: disable=broad-except
            exit_code = 1
            errmsg = getattr(ex, "strerror", None) or str(ex)
            if getattr(ex, "filename", None):
                errmsg += f": '{ex.filename}'"
            self.logger.error(errmsg)
            self.logger.debug(traceback.format_exc())
        finally:
            logging.shutdown()
            sys.exit(exit_code)


# Durations (RFC 23 Flux Standard Duration) and dates.

_FSD_INFINITY = ("inf", "infinity", "INF", "INFINITY")
_FSD_RE = re.compile(r"(.*?)(s|m|h|d|ms)$")
_FSD_UNITS = {
    "s": None,
    "ms": "milliseconds",
    "m": "minutes",
    "h": "hours",
    "d": "days",
}


def parse_fsd(fsd_string):
    """Seconds (float) of a Flux Standard Duration: a number with an
    optional unit ms, s (the default), m, h or d; "inf"/"infinity" is
    math.inf.  ValueError if it is invalid, negative or NaN."""
    if fsd_string in _FSD_INFINITY:
        return float("inf")
    match = _FSD_RE.match(fsd_string)
    number, unit = (match.group(1), match.group(2)) if match else (
        fsd_string, "s")
    try:
        value = float(number)
    except (TypeError, ValueError):
        raise ValueError("invalid Flux standard duration") from None
    if _FSD_UNITS[unit] is None:
        seconds = value
    else:
        # N.B. through timedelta, as flux-core does (microsecond
        # resolution, OverflowError for absurd values).
        seconds = timedelta(**{_FSD_UNITS[unit]: value}).total_seconds()
    if seconds < 0 or math.isnan(seconds) or math.isinf(seconds):
        raise ValueError("invalid Flux standard duration")
    return seconds


def fsd(secs):
    """A duration in seconds as a short Flux Standard Duration string,
    with about 4 significant digits: "0s", "1.500s", "59.5s", "1.5m",
    "2h", "3.25d", "inf"."""
    if math.isinf(secs):
        return "inf"
    if secs < 1.0e-3:
        return "0s"
    if secs < 10.0:
        return "%.03fs" % secs
    if secs < 60.0:
        return "%.4gs" % secs
    if secs < 60.0 * 60.0:
        return "%.4gm" % (secs / 60.0)
    if secs < 60.0 * 60.0 * 24.0:
        return "%.4gh" % (secs / (60.0 * 60.0))
    return "%.4gd" % (secs / (60.0 * 60.0 * 24.0))


def parse_datetime(string, now=None):
    """A timezone-aware datetime from string: "now", "+FSD" or "-FSD"
    (an offset from now, e.g. "+1h"), or a date.

    now: the datetime offsets count from (default: the current time).
    ValueError if string is not understood.  Dates in ISO 8601 form
    are always understood; free-form ones ("tomorrow", "noon") need
    the parsedatetime package, as in flux-core.
    """
    if now is None:
        now = datetime.now().astimezone()
    if string == "now":
        return now
    if string.startswith("+"):
        return datetime.fromtimestamp(
            now.timestamp() + parse_fsd(string[1:])).astimezone()
    if string.startswith("-"):
        return datetime.fromtimestamp(
            now.timestamp() - parse_fsd(string[1:])).astimezone()
    try:
        from parsedatetime import Calendar  # pylint: disable=import-outside-toplevel
    except ModuleNotFoundError:
        Calendar = None
    if Calendar is not None:
        cal = Calendar()
        cal.ptc.StartHour = 0
        time_struct, status = cal.parse(string, sourceTime=now.timetuple())
        if status == 0:
            raise ValueError(f'Invalid datetime: "{string}"')
        return datetime(*time_struct[:6]).astimezone()
    try:
        return datetime.fromisoformat(string).astimezone()
    except ValueError:
        raise ValueError(f'Invalid datetime: "{string}"') from None


class UtilDatetime(datetime):
    """A datetime whose format spec is a strftime() format, then
    optionally "::" and a Python format spec for the resulting string:

        "{0:%b%d %R::>16}".format(UtilDatetime.now())

    The epoch (fromtimestamp(0)) formats as "" ("-" with the "h" spec
    suffix)."""

    def __format__(self, fmt):
        timefmt, _, spec = fmt.partition("::")
        if self == datetime.fromtimestamp(0.0):
            result = ""
        else:
            result = self.strftime(timefmt or "%FT%T")
        # The "h" suffix is handled here: UtilFormatter.format_field()
        # leaves it to this method for UtilDatetime values.
        if spec.endswith("h"):
            if not result:
                result = "-"
            spec = spec[:-1] + "s"
        if spec:
            return format(result, spec)
        return result


def empty_outputs():
    """The formatted values that count as empty (for the "h" suffix and
    the "?:" sentinel of OutputFormat)."""
    localepoch = datetime.fromtimestamp(0.0).strftime("%FT%T")
    return ("", "0s", "0.0", "0:00:00", "1970-01-01T00:00:00", localepoch)


class UtilFormatter(Formatter):
    """string.Formatter with Flux conversions and spec suffixes:

    !d  seconds since the epoch -> UtilDatetime ("{t!d:%H:%M::>8}")
    !D  seconds since the epoch -> ISO 8601 string ("" for 0)
    !F  seconds -> Flux Standard Duration (fsd())
    !H  seconds -> H:MM:SS (rounded, at least 1s if non-zero)
    !P  fraction -> percentage ("50%", "0.50%")
    spec ending in "h": an empty value is shown as "-"
    spec ending in "+": a truncated value ends in "+"

    A value that is "" stays "" through every conversion.
    """

    # pylint: disable=too-many-branches
    def convert_field(self, value, conv):
        """Convert value for conversion conv: str.format's, and flux-core's
        d, D, F, H and P (timestamps, durations, ...).
        """
        orig_value = str(value)
        try:
            if conv == "d":
                try:
                    return UtilDatetime.fromtimestamp(value)
                except TypeError:
                    if orig_value == "":
                        return UtilDatetime.fromtimestamp(0.0)
                    raise
            if conv == "D":
                if not value:
                    return ""
                return datetime.fromtimestamp(value).strftime("%FT%T")
            if conv == "F":
                return fsd(value)
            if conv == "H":
                if 0 < value < 1:
                    value = 1
                return str(timedelta(seconds=round(value)))
            if conv == "P":
                value = value * 100
                if 0 < value < 1:
                    return f"{value:.2f}%"
                return f"{value:.3g}%"
        except (TypeError, ValueError) as exc:
            # Only !P turns a ValueError into ""; the others let it out.
            if orig_value == "" and (
                isinstance(exc, TypeError) or conv == "P"
            ):
                return ""
            raise
        return super().convert_field(value, conv)

    def format_field(self, value, spec):
        """Format value with spec: a spec ending in + marks a truncated
        value with a +, one ending in h prints an empty value as -.
        """
        denote_truncation = spec.endswith("+")
        if denote_truncation:
            spec = spec[:-1]
        # A UtilDatetime handles "h" itself, after this method.
        if spec.endswith("h") and not isinstance(value, UtilDatetime):
            value = "-" if str(value) in empty_outputs() else str(value)
            spec = spec[:-1] + "s"
        retval = super().format_field(value, spec)
        if denote_truncation and len(retval) < len(str(value)):
            retval = retval[:-1] + "+"
        return retval


class AltField:
    """A field with a default and an ASCII form ({field.ascii})."""

    def __init__(self, default, ascii):  # pylint: disable=redefined-builtin
        self.default = default
        self.ascii = ascii

    def __str__(self):
        return self.default

    def __format__(self, fmt):
        return str(self).__format__(fmt)


@functools.total_ordering
class DisplayValue:
    """A sort key for displayed values of mixed types.

    Order: unset values (None, "", "-") first, then numbers (bool, int,
    float and strings that parse as numbers, compared as floats), then
    other strings (compared as strings).
    """

    __slots__ = ("value", "_type_order", "_sort_value")

    EMPTY = 0
    NUMERIC = 1
    STRING = 2

    def __init__(self, value):
        self.value = value
        if value is None or value == "" or value == "-":
            self._type_order, self._sort_value = self.EMPTY, 0
        elif isinstance(value, (bool, int, float)):
            self._type_order, self._sort_value = self.NUMERIC, float(value)
        else:
            number = None
            for convert in (lambda v: float(v), lambda v: float(str(v))):
                try:
                    number = convert(value)
                    break
                except (TypeError, ValueError):
                    continue
            if number is None:
                self._type_order, self._sort_value = self.STRING, str(value)
            else:
                self._type_order, self._sort_value = self.NUMERIC, number

    def _key(self):
        return (self._type_order, self._sort_value)

    def __eq__(self, other):
        return self._key() == other._key()

    def __lt__(self, other):
        return self._key() < other._key()

    __hash__ = None

    def __repr__(self):
        return (f"DisplayValue({self.value!r}, "
                f"type_order={self._type_order}, "
                f"sort_value={self._sort_value!r})")


class OutputFormat:
    """A parsed output format of a flux-* tool, e.g.
    "{id:>8} ?:{name:<10.10} +:{nodelist}".

    headings maps each valid field name to its column header (an unknown
    field raises ValueError).  Beyond string.Formatter syntax (with the
    UtilFormatter extras) a format may have:

    - "sort:KEY[,-KEY...] " at its start: the order of print_items()
      ("-" reverses);
    - sentinels before a field: "?:" drops the field when it is empty
      for every item, "+:" widens it to its widest value (and header),
      "?+:" does both.

    prepend ("0." by default) is put before each field name, so the
    format applies to an object given as the first positional argument.
    """

    formatter = UtilFormatter
    headings: Mapping[str, str] = {}
    _sort_prefix_re = re.compile(r"sort:([^{\s]+)")
    _sentinels = {"?+:": "both", "?:": "filter", "+:": "maxwidth"}

    class HeaderFormatter(UtilFormatter):
        """Looks field names up literally in the headings ("a.b" is the
        key "a.b", not attribute b of a)."""

        def get_field(self, field_name, args, kwargs):
            if field_name in kwargs:
                return kwargs[field_name], None
            return super().get_field(field_name, args, kwargs)

    def __init__(self, fmt, headings=None, prepend="0.",
                 nullify_expansion_sentinel=False):
        if headings is not None:
            self.headings = headings
        if prepend is not None:
            self.prepend = prepend
        # Each entry: [text, field, spec, conversion], None made "".
        self.format_list = [[part or "" for part in entry]
                            for entry in Formatter().parse(fmt)]
        self.sort_keys = []
        if self.format_list and self.format_list[0][0].startswith("sort:"):
            fmt, self.format_list[0][0] = self._parse_and_strip_sort_prefix(
                self.format_list[0][0], fmt)
        self.fmt = fmt
        self.fmt_orig = fmt
        self._fields = [field for _, field, _, _ in self.format_list if field]
        for field in self._fields:
            if field.startswith("0."):
                field = field[2:]
            if field and field not in self.headings:
                raise ValueError("Unknown format field: " + field)
        if self.prepend:
            self.fmt = self.get_format_prepended(self.prepend,
                                                 include_sort_prefix=False)

    class FormatSpec:
        """A format spec split into its parts, so that the width can be
        changed and the spec rebuilt (str())."""

        components = ("fill", "align", "sign", "pos_zero", "alt",
                      "zero_pad", "width_str", "grouping", "decimal",
                      "precision_str", "type", "hyphen", "truncate")
        # Python's format spec mini-language, plus Flux's "h" and "+".
        _spec_re = re.compile(
            r"(?:(?P<fill>[\s\S])?(?P<align>[<>=^]))?"
            r"(?P<sign>[- +])?"
            r"(?P<pos_zero>z)?"
            r"(?P<alt>#)?"
            r"(?P<zero_pad>0)?"
            r"(?P<width_str>\d+)?"
            r"(?P<grouping>[_,])?"
            r"(?:(?P<decimal>\.)(?P<precision_str>\d+))?"
            r"(?P<type>[bcdeEfFgGnosxX%])?"
            r"(?P<hyphen>h)?"
            r"(?P<truncate>\+)?"
        )

        def __init__(self, spec):
            # A datetime spec "strftime::spec": only the part after "::".
            if "::" in spec:
                spec = spec[spec.find("::") + 2:]
            match = self._spec_re.fullmatch(spec)
            parts = match.groupdict() if match else {}
            for name in self.components:
                setattr(self, name, parts.get(name) or "")

        @property
        def width(self):
            return int(self.width_str) if self.width_str else ""

        @width.setter
        def width(self, val):
            self.width_str = str(val)
            # A string precision below the new width would cut it.
            if (self.type in (None, "s", "") and self.precision
                    and self.precision < self.width):
                self.precision = self.width

        @property
        def precision(self):
            return int(self.precision_str) if self.precision_str else 0

        @precision.setter
        def precision(self, val):
            self.precision_str = str(val)

        def __str__(self):
            return "".join(str(getattr(self, name))
                           for name in self.components)

    @property
    def fields(self):
        """The field names of the format and of its sort keys."""
        fields = set(self._fields)
        fields.update(key for key, _ in self.sort_keys)
        return list(fields)

    @staticmethod
    def _calculate_width(width):
        if width == 0:
            try:
                width = os.get_terminal_size().columns
            except OSError:
                width = -1
        return width

    # pylint: disable=no-self-use
    def _fmt_tuple(self, text, field, spec, conv):
        """Rebuild one parsed entry into format text."""
        if not field:
            return text
        spec = ":" + spec if spec else ""
        conv = "!" + conv if conv else ""
        return f"{text}{{{field}{conv}{spec}}}"

    def header_format(self):
        """The format for the header row: each spec cut down to its
        alignment and width, no conversions."""
        parts = []
        for text, field, spec, _ in self.format_list:
            spec = self.FormatSpec(spec)
            parts.append(self._fmt_tuple(text, field,
                                         f"{spec.align}{spec.width}", None))
        return "".join(parts)

    def header(self, width=-1):
        """The header row.  width > 0 cuts it to width columns (ending in
        "+"), 0 to the terminal's width, < 0 (default) not at all."""
        result = self.HeaderFormatter().format(self.header_format(),
                                               **self.headings)
        width = self._calculate_width(width)
        if 0 < width < len(result):
            result = result[: width - 1] + "+"
        return result

    def get_format_prepended(self, prepend, except_fields=None,
                             include_sort_prefix=True,
                             nullify_expansion_sentinel=False):
        """The format with prepend before each field name (once).

        except_fields: fields to leave out (with their text, unless it
        is only space or a sentinel).  nullify_expansion_sentinel: a
        "+:" field becomes the bare field, without spec.
        """
        except_fields = except_fields or []
        parts = []
        for text, field, spec, conv in self.format_list:
            if field in except_fields:
                kept = text.strip()
                if kept and kept not in self._sentinels:
                    parts.append(text)
                continue
            if field and not field.startswith(prepend):
                field = prepend + field
            if nullify_expansion_sentinel and text.endswith("+:"):
                text = spec = ""
            parts.append(self._fmt_tuple(text, field, spec, conv))
        prefix = self._sort_prefix() if include_sort_prefix else ""
        return prefix + "".join(parts)

    def _sort_prefix(self):
        if not self.sort_keys:
            return ""
        keys = ",".join(f"-{key}" if reverse else key
                        for key, reverse in self.sort_keys)
        space = " " if getattr(self, "_sort_has_trailing_space", True) else ""
        return f"sort:{keys}{space}"

    def get_format(self, orig=False, include_sort_prefix=True):
        """The format (orig=True: as given, without prepend), with its
        sort: prefix unless include_sort_prefix is False."""
        fmt = self.fmt_orig if orig else self.fmt
        return (self._sort_prefix() if include_sort_prefix else "") + fmt

    def copy(self, except_fields=None, nullify_expansion=False):
        """A new formatter of the same class, without except_fields, and
        with "+:" fields made bare if nullify_expansion."""
        return self.__class__(
            self.get_format_prepended(
                "", except_fields,
                nullify_expansion_sentinel=nullify_expansion),
            headings=self.headings,
            prepend=self.prepend,
        )

    def format(self, obj):
        """obj formatted with this format (KeyError for a missing
        field)."""
        try:
            return self.formatter().format(
                self.get_format(include_sort_prefix=False), obj)
        except KeyError as exc:
            raise KeyError(f"Invalid format field {exc} for {type(obj)}")

    def _sentinel_of(self, text):
        # longest first, so "?+:" is not taken for "+:"
        for sentinel in sorted(self._sentinels, key=len, reverse=True):
            if text.endswith(sentinel):
                return sentinel
        return None

    def filter(self, items, no_header=False):
        """The format rewritten for items: "?:" fields that are empty for
        every item dropped, "+:" fields widened to the widest value (and
        header, unless no_header), sentinels removed.

        N.B. as in flux-core, this updates self.format_list in place.
        """
        watched = []
        for index, (text, field, spec, conv) in enumerate(self.format_list):
            sentinel = self._sentinel_of(text)
            if sentinel is None:
                continue
            kind = self._sentinels[sentinel]
            spec = self.FormatSpec(spec)
            maxwidth = spec.width or 0
            if kind in ("maxwidth", "both") and not no_header:
                maxwidth = max(maxwidth, len(self.headings.get(field, "")))
            watched.append({
                # the bare field: its spec would pad even an empty value
                "fmt": self._fmt_tuple("", "0." + field, None, conv),
                "index": index,
                "type": kind,
                "maxwidth": maxwidth,
                "width": 0,
                "spec": spec,
            })
        if not watched:
            return self.get_format(orig=True)

        formatter = self.formatter()
        empty = empty_outputs()
        for item in items:
            for entry in watched:
                result = formatter.format(entry["fmt"], item)
                width = 0 if result in empty else len(result)
                entry["maxwidth"] = max(entry["maxwidth"], width)
                entry["width"] = max(entry["width"], width)

        remove = {entry["index"] for entry in watched
                  if entry["width"] == 0 and entry["type"] in ("filter",
                                                               "both")}
        for entry in watched:
            if entry["index"] in remove:
                continue
            if entry["type"] in ("maxwidth", "both"):
                entry["spec"].width = entry["maxwidth"]
                self.format_list[entry["index"]][2] = str(entry["spec"])
        format_list = [entry for index, entry in enumerate(self.format_list)
                       if index not in remove]
        for entry in format_list:
            for sentinel in sorted(self._sentinels, key=len, reverse=True):
                entry[0] = entry[0].replace(sentinel, "")
        return self._sort_prefix() + "".join(self._fmt_tuple(*entry)
                                             for entry in format_list)

    def _parse_and_strip_sort_prefix(self, sort_spec, fmt):
        """Take the sort keys off the start of the format: returns the
        format without "sort:KEYS " and the rest of the first text.

        The keys end at the first space or "{".  A "sort:" followed by
        neither keys is left as text.
        """
        match = self._sort_prefix_re.match(sort_spec)
        if not match:
            return fmt, sort_spec
        keys = match.group(1)
        self.set_sort_keys(keys)
        length = len("sort:") + len(keys)
        rest, fmt = sort_spec[length:], fmt[length:]
        self._sort_has_trailing_space = fmt.startswith(" ")
        if self._sort_has_trailing_space:
            fmt, rest = fmt[1:], rest[1:]
        return fmt, rest

    def set_sort_keys(self, sort_keys):
        """Replace the sort keys: a comma separated list of fields, each
        "-"-prefixed to reverse.  ValueError for a key not in
        headings."""
        self.sort_keys = []
        for key in sort_keys.split(","):
            key = key.strip()
            if not key:
                continue
            reverse = key.startswith("-")
            if reverse:
                key = key[1:]
            if key not in self.headings:
                raise ValueError("Invalid sort key: " + key)
            self.sort_keys.append((key, reverse))

    def sort_items(self, items):
        """Sort the list items in place by the sort keys (DisplayValue
        order) and return it."""
        # Stable sorts, least significant key first.
        for key, reverse in reversed(self.sort_keys):
            getter = attrgetter(key)
            items.sort(key=lambda item, get=getter: DisplayValue(get(item)),
                       reverse=reverse)
        return items

    def print_items(self, items, no_header=False, width=-1, pre=None,
                    post=None):
        """Print the list items: filter() the format, sort, print the
        header (unless no_header) and one line per item (blank lines
        skipped), cut to width as in header().  pre(item) and post(item)
        are called around each line printed."""
        newfmt = self.filter(items, no_header=no_header)
        formatter = self.__class__(newfmt, headings=self.headings,
                                   prepend=self.prepend)
        items = self.sort_items(items)
        width = self._calculate_width(width)
        if not no_header:
            print(formatter.header(width=width))
        for item in items:
            line = formatter.format(item)
            if not line or line.isspace():
                continue
            if 0 < width < len(line):
                line = line[: width - 1] + "+"
            if callable(pre):
                pre(item)
            try:
                print(line)
            except UnicodeEncodeError:
                print(line.encode("utf-8", errors="surrogateescape").decode())
            if callable(post):
                post(item)


class Deduplicator:
    """Collects items, merging those that format identically with
    formatter minus except_fields (combine(existing, new) is called on
    a merge).  Iterating gives the distinct items in order."""

    def __init__(self, formatter, except_fields=None, combine=None):
        self.formatter = formatter.copy(except_fields=except_fields,
                                        nullify_expansion=True)
        self.combine = combine
        self.hash = {}
        self.items = []
        self.__iter = None

    def __iter__(self):
        if self.__iter is None:
            self.__iter = iter(self.items)
        return self

    def __next__(self):
        try:
            return next(self.__iter)
        except StopIteration:
            self.__iter = None  # so it can be iterated again
            raise

    def append(self, item):
        """Add item, or merge it into the item it duplicates."""
        key = self.formatter.format(item)
        if key in self.hash:
            if self.combine is not None:
                self.combine(self.hash[key], item)
        else:
            self.hash[key] = item
            self.items.append(item)


class Tree:
    """A tree printed like pstree(1):

        root
        ├── child
        │   └── grandchild
        └── child2

    label: this node's text; prefix: text printed before the tree
    drawing on its line; combine_children: children with the same
    prefix and label (and no children of their own, for append_tree())
    are shown once, as "N*[label]".
    """

    Connectors = namedtuple("Connectors", ["PIPE", "TEE", "ELBOW", "BLANK"])

    connector_styles = {
        "ascii": Connectors("|   ", "|-- ", "`-- ", "    "),
        "box": Connectors("│   ", "├── ", "└── ", "    "),
        "compact": Connectors("│ ", "├─", "└─", "  "),
    }

    def __init__(self, label, prefix="", combine_children=False):
        self.label = label
        self.prefix = prefix + " " if prefix else prefix
        self.duplicates = {}
        self.duplicate_count = 1
        self.children = []
        self.combine_children = combine_children

    def append(self, label, prefix=""):
        """Add a child (or count one more of an identical child, if
        combining).  Returns the child."""
        if not self.combine_children:
            return self.add(label, prefix, combine_children=False)
        key = f"{prefix}{label}"
        if key in self.duplicates:
            self.duplicates[key].increment()
        else:
            self.duplicates[key] = self.add(label, prefix,
                                            combine_children=True)
        return self.duplicates[key]

    def append_tree(self, tree):
        """Add a Tree as a child (combined with an identical childless
        one, if combining).  Returns the child."""
        if not self.combine_children or tree.children:
            self.children.append(tree)
            return tree
        key = f"{tree.prefix}{tree.label}"
        if key in self.duplicates:
            self.duplicates[key].increment()
        else:
            self.children.append(tree)
            self.duplicates[key] = tree
        return self.duplicates[key]

    def add(self, label, prefix="", combine_children=False):
        """Add a child, never combined.  Returns it."""
        tree = Tree(label, prefix=prefix, combine_children=combine_children)
        self.children.append(tree)
        return tree

    def increment(self):
        """Count one more duplicate of this node."""
        self.duplicate_count += 1

    def _render(self, pstack=None, connector="", style="box",
                max_level=None, truncate=None):
        # pstack holds the drawing for each level above this node; its
        # top entry is for this node's children, not for this line.
        if pstack is None:
            pstack = []
        if max_level is not None and len(pstack) > max_level:
            return
        label = self.label
        if self.duplicate_count > 1:
            label = f"{self.duplicate_count}*[{self.label}]"
        line = f"{self.prefix}{''.join(pstack[:-1])}{connector}{label}"
        if truncate and len(line) > truncate:
            line = line[: truncate - 1] + "+"
        print(line)
        cstyle = self.connector_styles[style]
        for child in self.children:
            last = child == self.children[-1]
            pstack.append(cstyle.BLANK if last else cstyle.PIPE)
            # pylint: disable=protected-access
            child._render(pstack,
                          connector=cstyle.ELBOW if last else cstyle.TEE,
                          style=style, max_level=max_level,
                          truncate=truncate)
            pstack.pop()

    def render(self, style="box", level=None, skip_root=False,
               truncate=True):
        """Print the tree.

        style: "box" (Unicode lines, default), "ascii" or "compact";
        level: the depth to stop at; skip_root: print the children as
        trees of their own; truncate: cut lines at the terminal width
        (132 columns when it is unknown).
        """
        if skip_root:
            for child in self.children:
                child.render(style=style, level=level, truncate=truncate)
            return
        limit = shutil.get_terminal_size((132, 25)).columns if truncate else None
        self._render(style=style, max_level=level, truncate=limit)


def xdg_searchpath(subdir=""):
    """Flux's config folders in precedence order: $XDG_CONFIG_HOME (or
    ~/.config), then each of $XDG_CONFIG_DIRS (or /etc/xdg), each with
    "flux/" and subdir appended (Path objects)."""
    confdirs = [os.getenv("XDG_CONFIG_HOME") or f"{Path.home()}/.config"]
    confdirs += (os.getenv("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")
    return [Path(directory, "flux", subdir) for directory in confdirs]


def _config_loaders():
    tomllib, yaml = _optional_parsers()
    loaders = {".json": json.load}
    if tomllib is not None:
        loaders[".toml"] = tomllib.load
    if yaml is not None:
        loaders[".yaml"] = yaml.safe_load
    return loaders


def _config_decode_errors():
    tomllib, yaml = _optional_parsers()
    errors = [json.decoder.JSONDecodeError]
    if tomllib is not None:
        errors.append(tomllib.TOMLDecodeError)
    if yaml is not None:
        errors.append(yaml.scanner.ScannerError)
    return tuple(errors)


class _ExtensionHandlers:
    """UtilConfig.extension_handlers, made on first use: it imports
    PyYAML and tomllib, which a module that only wants parse_fsd (the
    heartbeat module, at every instance start) should not wait for.
    """

    def __get__(self, obj, cls):
        UtilConfig.extension_handlers = _config_loaders()
        return UtilConfig.extension_handlers


class UtilConfig:
    """Configuration of a Flux tool, from files NAME.toml, NAME.json or
    NAME.yaml in the xdg_searchpath() folders.

    load() merges them over initial_dict, lowest precedence first
    (/etc/xdg, ..., then ~/.config), files of one folder in sorted
    order.  With subcommand, .config is that sub-table.  Keys of the
    configuration read as attributes (a missing one is a KeyError).

    toolname: the tool's name if not name, for the
    TOOL_FORMAT_DEFAULT environment variable.
    """

    extension_handlers = _ExtensionHandlers()

    builtin_formats = {}

    def __init__(self, name, toolname=None, subcommand=None,
                 initial_dict=None):
        self.name = name
        self.toolname = toolname
        self.dict = copy.deepcopy(initial_dict) if initial_dict else {}
        self.config = self.dict
        self.subtable = subcommand
        # lowest precedence first
        self.searchpath = list(reversed(xdg_searchpath()))

    def load(self):
        """Load the config files (ValueError naming the file for one
        that does not parse).  Returns self."""
        for path in self.searchpath:
            for filepath in sorted(glob.glob(f"{path}/{self.name}.*")):
                suffix = PurePosixPath(filepath).suffix
                if suffix not in self.extension_handlers:
                    continue
                try:
                    with open(filepath, "rb") as ofile:
                        conf = self.extension_handlers[suffix](ofile)
                except _config_decode_errors() as exc:
                    raise ValueError(f"{filepath}: {exc}") from exc
                self.validate(filepath, conf)
                dict_merge(self.dict, conf)
        if self.subtable and self.subtable in self.dict:
            self.config = self.dict[self.subtable]
        return self

    def validate_formats(self, path, formats):
        """Check a "formats" table: a mapping of names (not builtin ones)
        to mappings with a string "format" key.  ValueError if not."""
        builtin_formats = self.builtin_formats
        if self.subtable and self.subtable in self.builtin_formats:
            builtin_formats = self.builtin_formats[self.subtable]
        if not isinstance(formats, dict):
            raise ValueError(f"{path}: the 'formats' key must be a mapping")
        for name, entry in formats.items():
            if name in builtin_formats:
                raise ValueError(
                    f"{path}: override of builtin format '{name}' not permitted"
                )
            if not isinstance(entry, dict):
                raise ValueError(f"{path}: 'formats.{name}' must be a mapping")
            if "format" not in entry:
                raise ValueError(
                    f"{path}: formats.{name}: required key 'format' missing"
                )
            if not isinstance(entry["format"], str):
                raise ValueError(
                    f"{path}: formats.{name}: 'format' key must be a string"
                )

    def validate(self, path, conf):
        """Check one file's configuration before it is merged (nothing
        here; subclasses may raise ValueError)."""

    def _default_env_name(self):
        name = (self.toolname or self.name).upper().replace("-", "_")
        if self.subtable:
            name += "_" + self.subtable.upper().replace("-", "_")
        return name + "_FORMAT_DEFAULT"

    def get_format_string(self, format_name):
        """The format string of the configured format format_name.

        A name with "{" is a format already.  "help" prints the
        configured formats and exits; "get-config=NAME" prints NAME's
        configuration and exits; "default" may be overridden by
        $TOOL_FORMAT_DEFAULT.  ValueError for an unknown name.
        """
        if "{" in format_name:
            return format_name
        formats = self.formats
        if format_name == "help":
            print(f"\nConfigured {self.name} output formats:\n")
            for name, entry in formats.items():
                print(f"  {name:<12}", end="")
                if "description" in entry:
                    print(f" {entry['description']}")
                else:
                    print()
            sys.exit(0)
        elif format_name.startswith("get-config="):
            name = format_name.split("=", 1)[1]
            if name not in formats:
                raise ValueError(f"--format: No such format {name}")
            entry = formats[name]
            table = f"{self.subtable}.formats" if self.subtable else "formats"
            print(f"[{table}.{name}]")
            if "description" in entry:
                print(f"description = \"{entry['description']}\"")
            print(f"format = \"{entry['format']}\"")
            sys.exit(0)
        elif format_name == "default":
            override = os.environ.get(self._default_env_name())
            if override is not None:
                if "{" in override:
                    return override
                format_name = override
        try:
            return formats[format_name]["format"]
        except KeyError:
            suggestion = re.sub(r"\w+", r"{\g<0>}", format_name)
            raise ValueError(
                f"--format: No such format {format_name} "
                f"(Did you mean '{suggestion}'?)"
            ) from None

    def __getattr__(self, attr):
        return self.config[attr]


class Fileref(dict):
    """An RFC 37 file object (a dict, ready for JSON).

    data: a dict (stored as JSON content, no encoding), or with encoding
    ("utf-8" or "base64") data already encoded, or else the path of a
    file, read as utf-8 if it decodes, else base64 (size and mode from
    the file).  perms: the mode bits (default 0600) when not a file.
    """

    def __init__(self, data, perms=0o0600, encoding=None):
        ref = {"mode": perms | stat.S_IFREG}
        if isinstance(data, dict):
            ref["data"] = data
        elif encoding is not None:
            if encoding not in ("base64", "utf-8"):
                raise ValueError(f"invalid encoding: {encoding}")
            ref["data"] = data
            ref["encoding"] = encoding
        else:
            st = os.stat(data)
            ref["size"] = st.st_size
            ref["mode"] = st.st_mode
            with open(data, "rb") as infp:
                content = infp.read()
            try:
                ref["data"] = content.decode("utf-8")
                ref["encoding"] = "utf-8"
            except UnicodeError:
                ref["data"] = base64.b64encode(content).decode("utf-8")
                ref["encoding"] = "base64"
        super().__init__(**ref)
