# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.hostlist: lists of host names in RFC 29 hostlist form.

    from flux.hostlist import Hostlist
    hl = Hostlist("node[1-3,5],login01")
    len(hl), hl[0], hl[-1]          # 5, 'node1', 'login01'
    str(hl[1:3])                    # 'node[2-3]'
    hl.index("node5")               # [3]

flux-core's flux.hostlist wraps its C libhostlist; this one is pure
Python and follows the same rules, which are those of the C library:

- decoding splits on commas, spaces and tabs outside brackets; inside
  "prefix[ranges]" each range keeps the zero padding of its low value
  ("n[01-10]" is n01..n10); text after "]" makes each host a plain name
  ("n[1-2]-ib" is n1-ib,n2-ib); a name ending in digits is a prefix and
  a number ("n07": prefix "n", 7, width 2);
- a list keeps its order and its duplicates: adjacent hosts of one
  prefix and compatible widths merge into one range;
- sort() orders by prefix, then number (duplicates kept), uniq() sorts
  and drops duplicates;
- find() and "in" match numbers with their padding ("n01" is not in
  "n[1-3]").

A list is kept as libhostlist keeps it, a list of ranges (prefix, lo,
hi, width) and single host names, so encode() gives the same string.
"""

import collections.abc
import errno
import functools
import numbers
import os

__all__ = ["Hostlist", "HostlistIterator", "decode"]

# libhostlist's limits.
_MAX_RANGE = 1 << 20  # hosts in one range "lo-hi"
_MAX_RANGES = 10240  # ranges between one pair of brackets
_MAX_TOKEN = 1023  # a single host name is cut to this length
_ULONG_MAX = 2**64 - 1
_DIGITS = "0123456789"
_SPACE = " \t\n\v\f\r"  # C isspace()
_SEPARATORS = "\t, "
_INVALID_CHARS = ",[]\t "  # never part of a host name


def _oserror(errnum):
    # flux-core's wrapper words C errors as "ENAME: strerror".
    return OSError(errnum, f"{errno.errorcode[errnum]}: {os.strerror(errnum)}")


class _DecodeError(Exception):
    def __init__(self, errnum=errno.EINVAL):
        super().__init__(errnum)
        self.errnum = errnum


def _pad(num, width):
    return str(num).rjust(width, "0")


def _zero_padded(num, width):
    """How many zeros printing num with width adds."""
    return max(width - len(str(num)), 0)


def _width_equiv(n, wn, m, wm):
    """Can n (printed with width wn) and m (width wm) share one width?

    A width matters only when it pads: widths are equivalent unless
    both n and m would print differently with the other's width.
    Returns (ok, wn, wm) with the width adopted by the side for which
    the change makes no difference, as libhostlist does.
    """
    n_same = _zero_padded(n, wn) == _zero_padded(n, wm)
    m_same = _zero_padded(m, wm) == _zero_padded(m, wn)
    if not n_same and not m_same:
        return False, wn, wm
    if not n_same:
        return True, wn, wn
    return True, wm, wm


class _Range:
    """One host range: prefix with numbers lo..hi printed with width
    digits, or (single) one host whose whole name is prefix."""

    __slots__ = ("prefix", "lo", "hi", "width", "single")

    def __init__(self, prefix, lo=0, hi=0, width=0, single=False):
        self.prefix = prefix
        self.lo = lo
        self.hi = hi
        self.width = width
        self.single = single

    def copy(self):
        return _Range(self.prefix, self.lo, self.hi, self.width, self.single)

    def count(self):
        return 1 if self.single else self.hi - self.lo + 1

    def empty(self):
        return self.hi < self.lo

    def host(self, depth):
        if self.single:
            return self.prefix
        return self.prefix + _pad(self.lo + depth, self.width)


def _width_combine(a, b):
    if a is b:
        return True
    ok, a.width, b.width = _width_equiv(a.lo, a.width, b.lo, b.width)
    return ok


def _prefix_cmp(a, b):
    """Order of two ranges by prefix; equal prefixes differ when only
    one of the two is a single host (single hosts first)."""
    if a is None:
        return -1
    if b is None:
        return 1
    if a.prefix != b.prefix:
        return -1 if a.prefix < b.prefix else 1
    return int(b.single) - int(a.single)


def _range_cmp(a, b):
    """The sort order of ranges: prefix, then lowest number if the widths
    are compatible, else width."""
    result = _prefix_cmp(a, b)
    if result == 0:
        if _width_combine(a, b):
            result = a.lo - b.lo
        else:
            result = a.width - b.width
    return (result > 0) - (result < 0)


def _within_range(a, b):
    """True if a and b are printed inside the same brackets."""
    if _prefix_cmp(a, b) == 0:
        return not (a.single or b.single)
    return False


def _follows(a, b):
    """True if b starts right after a ends (C unsigned arithmetic)."""
    return a.hi == (b.lo - 1) & _ULONG_MAX


def _strtoul(text):
    """C strtoul(text, &end, 10): returns (value, end index); end is 0
    when there are no digits."""
    i = 0
    while i < len(text) and text[i] in _SPACE:
        i += 1
    negative = False
    if i < len(text) and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    start = i
    while i < len(text) and text[i] in _DIGITS:
        i += 1
    if i == start:
        return 0, 0
    value = min(int(text[start:i]), _ULONG_MAX)
    if negative:
        value = -value & _ULONG_MAX
    return value, i


def _parse_range(text):
    """One "lo" or "lo-hi" between brackets: (lo, hi, width).

    The width is the length of the text of lo, so "01-10" pads to 2.
    """
    lo_text, dash, hi_text = text.partition("-")
    if dash and hi_text.startswith("-"):
        raise _DecodeError()  # no negative numbers
    lo, end = _strtoul(lo_text)
    if end == 0:
        raise _DecodeError()
    if hi_text:
        hi, end = _strtoul(hi_text)
        if end == 0 or end != len(hi_text):
            raise _DecodeError()
    else:
        hi = lo
        if end != len(lo_text):
            raise _DecodeError()
    if lo > hi:
        raise _DecodeError()
    if hi - lo + 1 > _MAX_RANGE:
        raise _DecodeError(errno.ERANGE)
    return lo, hi, len(lo_text)


def _tokens(text):
    """Split on separators outside brackets, as libhostlist does."""
    i, length = 0, len(text)
    while True:
        while i < length and text[i] in _SEPARATORS:
            i += 1
        if i >= length:
            return
        start, level = i, 0
        while i < length and (level != 0 or text[i] not in _SEPARATORS):
            if text[i] == "[":
                level += 1
            elif text[i] == "]":
                level -= 1
            i += 1
        yield text[start:i]


def _prefix_end(name):
    """Index of the last character of name that is not a digit, or -1."""
    idx = len(name) - 1
    while idx >= 0 and name[idx] in _DIGITS:
        idx -= 1
    return idx


class _Hostname:
    """A host name split as libhostlist splits it for searching: prefix
    length, and if it ends in digits, their value and width."""

    __slots__ = ("name", "len_prefix", "suffix", "num", "width")

    def __init__(self, name, len_prefix, suffix, num, width):
        self.name = name
        self.len_prefix = len_prefix
        self.suffix = suffix
        self.num = num
        self.width = width

    @classmethod
    def parse(cls, name):
        if any(c in _INVALID_CHARS for c in name):
            return None
        len_prefix = _prefix_end(name) + 1
        if len_prefix == len(name):
            return cls(name, len_prefix, None, 0, 0)
        suffix = name[len_prefix:]
        num = min(int(suffix), _ULONG_MAX)
        return cls(name, len_prefix, suffix, num, len(suffix))

    def one_less_digit(self):
        """The same name with its first suffix digit moved to the prefix."""
        len_prefix = self.len_prefix + 1
        width = len(self.name) - len_prefix
        if width < 0 or width >= 10:
            return None
        return _Hostname(self.name, len_prefix, self.name[len_prefix:],
                         self.num % 10**width, width)


def _position_in(hr, hn):
    """Offset of host name hn in range hr, or -1."""
    if hr.single:
        return 0 if hn is not None and hn.name == hr.prefix else -1
    if hn is None or hn.suffix is None:
        return -1
    if len(hr.prefix) < hn.len_prefix:
        return -1
    if hr.prefix[:hn.len_prefix] != hn.name[:hn.len_prefix]:
        return -1
    # A range whose prefix ends in digits ("f00[1-2]") may hold the name
    # if digits of its suffix belong to the prefix: try with one less.
    if (hn.len_prefix < len(hr.prefix)
            and hn.width > 1
            and hr.prefix[-1] in _DIGITS
            and hr.prefix[hn.len_prefix] == hn.suffix[0]):
        return _position_in(hr, hn.one_less_digit())
    if len(hr.prefix) == hn.len_prefix and hr.lo <= hn.num <= hr.hi:
        ok, hr.width, _ = _width_equiv(hr.lo, hr.width, hn.num, hn.width)
        if not ok:
            return -1
        return hn.num - hr.lo
    return -1


class HostlistIterator:
    """Iterates the host names of a Hostlist in order."""

    def __init__(self, hostlist):
        self._hostlist = hostlist
        self._index = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self._index < len(self._hostlist):
            result = self._hostlist[self._index]
            self._index += 1
            return result
        raise StopIteration


class Hostlist:
    """A list of host names, to and from RFC 29 hostlist strings.

    Hostlist(arg=""): arg is a hostlist string ("host", "host[0-10]",
    "a,b[1-2]") or an iterable of such strings.  An invalid string
    raises ValueError, anything else TypeError.
    """

    def __init__(self, arg=""):
        self._ranges = []
        self._nhosts = 0
        if isinstance(arg, str):
            try:
                self._decode_into(arg)
            except _DecodeError:
                raise ValueError(f"Invalid hostlist: '{arg}'") from None
        elif isinstance(arg, collections.abc.Iterable):
            for hosts in arg:
                if not isinstance(hosts, str):
                    raise TypeError(
                        "Hostlist(): expected string or Iterable, "
                        f"got {type(hosts)}"
                    )
                try:
                    other = Hostlist._decoded(hosts)
                except _DecodeError:
                    raise ValueError(f"Invalid hostlist: '{hosts}'") from None
                self._append_list(other)
        else:
            raise TypeError(
                f"Hostlist(): expected string or Iterable, got {type(arg)}"
            )

    @classmethod
    def _decoded(cls, text):
        """A new Hostlist from text; raises _DecodeError."""
        result = cls()
        result._decode_into(text)
        return result

    # Building blocks, each doing what its libhostlist counterpart does.

    def _append_range(self, hr):
        """Append a copy of hr, merging it into the last range if it
        continues it.  Returns the number of hosts appended."""
        tail = self._ranges[-1] if self._ranges else None
        if (tail is not None
                and _prefix_cmp(tail, hr) == 0
                and _follows(tail, hr)
                and _width_combine(tail, hr)):
            tail.hi = hr.hi
        else:
            self._ranges.append(hr.copy())
        count = hr.count()
        self._nhosts += count
        return count

    def _append_list(self, other):
        # Copies first: other may be self, whose ranges appending changes.
        # (flux-core's C loop never ends on hl.append(hl).)
        ranges = [hr.copy() for hr in other._ranges]
        return sum(self._append_range(hr) for hr in ranges)

    def _append_host(self, name):
        """Append one host name (no brackets)."""
        if not name or any(c in _INVALID_CHARS for c in name):
            return
        len_prefix = _prefix_end(name) + 1
        if len_prefix == len(name):
            self._append_range(_Range(name, single=True))
            return
        suffix = name[len_prefix:]
        num = int(suffix)
        if num > _ULONG_MAX:
            return  # libhostlist drops a name whose number overflows
        self._append_range(_Range(name[:len_prefix], num, num, len(suffix)))

    def _decode_into(self, text):
        for token in _tokens(text):
            if "[" in token:
                prefix, _, rest = token.partition("[")
                close = rest.find("]")
                if close < 0:
                    raise _DecodeError()  # brackets must be balanced
                pieces = rest[:close].split(",")
                if len(pieces) > _MAX_RANGES:
                    raise _DecodeError()
                ranges = [_parse_range(piece) for piece in pieces]
                suffix = rest[close + 1:]
                for lo, hi, width in ranges:
                    if suffix:
                        # With a suffix, each host is a name of its own.
                        for num in range(lo, hi + 1):
                            name = prefix + _pad(num, width) + suffix
                            self._append_range(_Range(name, single=True))
                    else:
                        self._append_range(_Range(prefix, lo, hi, width))
            elif "]" in token:
                raise _DecodeError()  # brackets must be balanced
            else:
                self._append_host(token[:_MAX_TOKEN])

    def _locate(self, index):
        """(range index, depth) of host number index (0 <= index < len)."""
        for i, hr in enumerate(self._ranges):
            count = hr.count()
            if index < count:
                return i, index
            index -= count
        raise IndexError("Hostlist index out of range")

    def _find_host(self, hn):
        """(position, range index, depth) of the first match, or None."""
        position = 0
        for i, hr in enumerate(self._ranges):
            offset = _position_in(hr, hn)
            if offset >= 0:
                return position + offset, i, offset
            position += hr.count()
        return None

    def _remove_at(self, index, depth):
        hr = self._ranges[index]
        if hr.single:
            del self._ranges[index]
        else:
            num = hr.lo + depth
            if num == hr.lo:
                hr.lo += 1
            elif num == hr.hi:
                hr.hi -= 1
            else:
                # Split the range around num.
                upper = hr.copy()
                upper.lo = num + 1
                hr.hi = num - 1
                self._ranges.insert(index + 1, upper)
            if hr.empty():
                del self._ranges[index]
        self._nhosts -= 1

    def _coalesce(self):
        """After sorting: split overlapping ranges so that duplicated
        hosts sit next to each other ("n[5-7],n[6-8]" becomes
        "n[5-6,6-7,7-8]"), then merge ranges that continue each other."""
        ranges = self._ranges
        i = len(ranges) - 1
        while i > 0:
            prev, nxt = ranges[i - 1], ranges[i]
            if (not prev.single and not nxt.single
                    and _prefix_cmp(prev, nxt) == 0
                    and prev.hi > nxt.lo
                    and _width_combine(prev, nxt)):
                dup_lo, dup_hi = nxt.lo, min(nxt.hi, prev.hi)
                if dup_hi < prev.hi:
                    nxt.hi = prev.hi
                prev.hi = dup_lo
                nxt.lo = dup_hi
                j = i
                for num in range(dup_lo, dup_hi + 1):
                    single = _Range(prev.prefix, num, num, prev.width)
                    if num > prev.hi:
                        ranges.insert(j, single.copy())
                        j += 1
                    if num < nxt.lo:
                        ranges.insert(j, single.copy())
                        j += 1
                i = len(ranges)  # start over from the end
            i -= 1
        self._collapse()

    def _collapse(self):
        ranges = self._ranges
        for i in range(len(ranges) - 1, 0, -1):
            prev, nxt = ranges[i - 1], ranges[i]
            if (_prefix_cmp(prev, nxt) == 0
                    and _follows(prev, nxt)
                    and _width_combine(prev, nxt)):
                prev.hi = nxt.hi
                del ranges[i]

    @staticmethod
    def _join(a, b):
        """Merge b into a (a sorts first) if they overlap or touch.
        Returns the number of duplicate hosts dropped, or -1."""
        if _prefix_cmp(a, b) != 0 or not _width_combine(a, b):
            return -1
        if a.single and b.single:
            return 1
        if _follows(a, b):
            a.hi = b.hi
            return 0
        if a.hi >= b.lo:
            if a.hi < b.hi:
                duplicated = a.hi - b.lo + 1
                a.hi = b.hi
                return duplicated
            return b.count()
        return -1

    # The Python protocol.

    def __str__(self):
        return self.encode()

    def __repr__(self):
        return f"Hostlist('{self}')"

    def __len__(self):
        return self._nhosts

    def __getitem__(self, index):
        """hl[n] is a host name (negative n counts from the end); a slice
        or an iterable of ints gives a new Hostlist."""
        if isinstance(index, numbers.Integral):
            if index < 0:
                index = len(self) + index
            if 0 <= index < len(self):
                i, depth = self._locate(index)
                return self._ranges[i].host(depth)
            raise IndexError("Hostlist index out of range")
        if isinstance(index, slice):
            result = Hostlist()
            for n in range(len(self))[index]:
                result.append(self[n])
            return result
        if isinstance(index, collections.abc.Iterable):
            result = Hostlist()
            for n in index:
                if not isinstance(n, numbers.Integral):
                    raise TypeError(f"Invalid Hostlist index '{n}'")
                result.append(self[n])
            return result
        raise TypeError("Hostlist index must be integer or slice")

    def __iter__(self):
        return HostlistIterator(self)

    def __contains__(self, name):
        try:
            self.find(name)
        except FileNotFoundError:
            return False
        return True

    # Methods.

    def encode(self):
        """The RFC 29 hostlist string, e.g. "node[1-3],login"."""
        out = []
        ranges = self._ranges
        i = 0
        while i < len(ranges):
            first = ranges[i]
            following = ranges[i + 1] if i + 1 < len(ranges) else None
            brackets = first.count() > 1 or _within_range(first, following)
            numbers_ = []
            while True:
                hr = ranges[i]
                if not hr.single:
                    text = _pad(hr.lo, hr.width)
                    if hr.lo < hr.hi:
                        text += "-" + _pad(hr.hi, hr.width)
                    numbers_.append(text)
                i += 1
                if i >= len(ranges) or not _within_range(ranges[i],
                                                         ranges[i - 1]):
                    break
            body = ",".join(numbers_) if brackets else "".join(numbers_)
            out.append(f"{first.prefix}[{body}]" if brackets
                       else first.prefix + body)
        return ",".join(out)

    def count(self):
        """The number of hosts."""
        return self._nhosts

    def append(self, *args):
        """Append each arg (a Hostlist, or anything Hostlist() takes).
        Returns the number of hosts appended."""
        count = 0
        for arg in args:
            if not isinstance(arg, Hostlist):
                arg = Hostlist(arg)
            count += self._append_list(arg)
        return count

    def delete(self, hosts):
        """Delete the first occurrence of each host of hosts (a Hostlist
        or hostlist string).  Returns the number of hosts deleted."""
        try:
            doomed = Hostlist._decoded(str(hosts))
        except _DecodeError as exc:
            raise _oserror(exc.errnum) from None
        count = 0
        for name in doomed:
            hn = _Hostname.parse(name)
            if hn is None:
                count -= 1  # libhostlist counts an invalid name as -1
                continue
            found = self._find_host(hn)
            if found is not None:
                self._remove_at(found[1], found[2])
                count += 1
        if count < 0:
            raise _oserror(errno.EINVAL)
        return count

    def sort(self):
        """Sort by prefix, then number (duplicates are kept).  Returns
        self."""
        if len(self._ranges) > 1:
            self._ranges.sort(key=functools.cmp_to_key(_range_cmp))
            self._coalesce()
        return self

    def uniq(self):
        """Sort and remove duplicate host names.  Returns self."""
        if len(self._ranges) > 1:
            self._ranges.sort(key=functools.cmp_to_key(_range_cmp))
            i = 1
            while i < len(self._ranges):
                dropped = self._join(self._ranges[i - 1], self._ranges[i])
                if dropped < 0:
                    i += 1
                else:
                    del self._ranges[i]
                    self._nhosts -= dropped
        return self

    def expand(self):
        """The host names as a list."""
        return list(self)

    def copy(self):
        """A copy of the Hostlist."""
        result = Hostlist()
        result._ranges = [hr.copy() for hr in self._ranges]
        result._nhosts = self._nhosts
        return result

    def find(self, host):
        """Position of the first occurrence of host.

        FileNotFoundError (ENOENT) if it is not there, OSError(EINVAL)
        for a name that cannot be a host (it has ",[]", a space or tab).
        """
        if isinstance(host, bytes):
            host = host.decode("utf-8", errors="surrogateescape")
        if not isinstance(host, str):
            raise ValueError(
                f"Hostlist.find: expected a host name, got {type(host)}"
            )
        hn = _Hostname.parse(host)
        if hn is None:
            raise _oserror(errno.EINVAL)
        found = self._find_host(hn)
        if found is None:
            raise _oserror(errno.ENOENT)
        return found[0]

    def index(self, hosts, ignore_nomatch=False):
        """Positions of each host of hosts (str or Hostlist), in order.

        Hosts that are not found raise FileNotFoundError naming them,
        unless ignore_nomatch is True (then they are skipped).
        """
        if not isinstance(hosts, Hostlist):
            hosts = Hostlist(hosts)
        ids = []
        notfound = Hostlist()
        for host in hosts:
            try:
                ids.append(self.find(host))
            except FileNotFoundError:
                notfound.append(host)
        if notfound and not ignore_nomatch:
            suffix = "s" if len(notfound) > 1 else ""
            raise FileNotFoundError(f"host{suffix} '{notfound}' not found")
        return ids


def decode(arg):
    """A Hostlist from a hostlist string or an iterable of them."""
    return Hostlist(arg)
