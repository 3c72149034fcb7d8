# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.idset: sets of non-negative integers in RFC 22 idset form.

    from flux.idset import IDset
    ranks = IDset("0-3,7")
    str(ranks)                      # '0-3,7'
    ranks.encode(IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE)   # '[0-3,7]'
    list(ranks)                     # [0, 1, 2, 3, 7]

flux-core's flux.idset wraps its C libidset; this one is pure Python
with the same behaviour: the same encode/decode rules, the same limits
(ids are C unsigned ints, the largest settable id is INT_MAX), the same
exceptions and the same answers from first()/next()/last() on an empty
set (IDSET_INVALID_ID).

A set is kept as a sorted list of disjoint, non-adjacent [lo, hi]
intervals, so "0-2147483647" costs one interval, not 2^31 members.
"""

import bisect
import collections.abc
import errno
import numbers
import os

__all__ = [
    "IDset",
    "IDsetIterator",
    "decode",
    "IDSET_INVALID_ID",
    "IDSET_FLAG_RANGE",
    "IDSET_FLAG_BRACKETS",
]

# The values of libidset's idset.h.
IDSET_FLAG_BRACKETS = 2
IDSET_FLAG_RANGE = 4
_UINT_MAX = 2**32 - 1
IDSET_INVALID_ID = _UINT_MAX - 1
# The universe may grow to INT_MAX + 1 ids, so INT_MAX is the largest id.
_MAX_UNIVERSE = 2**31
_ULONG_MAX = 2**64 - 1
_DIGITS = "0123456789"


def _oserror(errnum):
    # flux-core's wrapper words C errors as "ENAME: strerror".
    return OSError(errnum, f"{errno.errorcode[errnum]}: {os.strerror(errnum)}")


def _uint(value):
    """An argument as C would take it for an unsigned int parameter."""
    if value > _UINT_MAX:
        raise OverflowError(f"integer {value} does not fit 'unsigned int'")
    return value


def _valid_id(value):
    """Raise OSError(EINVAL) for the two ids libidset reserves."""
    if value in (_UINT_MAX, IDSET_INVALID_ID):
        raise _oserror(errno.EINVAL)


def _parse_number(text):
    """Parse one RFC 22 number: decimal digits only, no sign, no space,
    no leading zero (except "0" itself).  Returns (value, rest) or None.
    """
    end = 0
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    if end == 0 or (text[0] == "0" and end > 1):
        return None
    value = int(text[:end])
    if value > _ULONG_MAX:  # strtoul() fails with ERANGE
        return None
    return value, text[end:]


def _parse_element(token):
    """Parse "N" or "N-M" (M > N).  Returns (lo, hi) or None.

    As libidset does, values are stored in a C unsigned int, so digits
    beyond 2^32 wrap (the universe check that follows still applies).
    """
    first = _parse_number(token)
    if first is None:
        return None
    value, rest = first
    lo = hi = value & _UINT_MAX
    if rest:
        if rest[0] != "-":
            return None
        second = _parse_number(rest[1:])
        if second is None:
            return None
        value, rest = second
        if rest or value <= lo:
            return None
        hi = value & _UINT_MAX
    return lo, hi


def _decode(text):
    """Decode an idset string into a list of ids ranges, or None."""
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        text = text[1:-1]
    if "[" in text or "]" in text:
        return None
    result = _new_idset()
    maxid = None
    # Empty elements (",,", a trailing ",") are skipped, as strtok does.
    for token in filter(None, text.split(",")):
        element = _parse_element(token)
        if element is None:
            return None
        lo, hi = element
        if maxid is not None and lo <= maxid:
            return None  # elements must ascend
        try:
            result._range_set(lo, hi)
        except OSError:
            return None
        maxid = hi
    return result


def _new_idset():
    """An empty IDset with the default flags, made without decoding."""
    idset = IDset.__new__(IDset)
    idset._lo, idset._hi = [], []
    idset.default_flags = IDSET_FLAG_RANGE
    return idset


class IDsetIterator:
    """Iterates an IDset in ascending order, from first() through next()."""

    def __init__(self, idset):
        self._idset = idset
        self._next = idset.first()

    def __iter__(self):
        return self

    def __next__(self):
        result = self._next
        if result == IDSET_INVALID_ID:
            raise StopIteration
        self._next = self._idset._next(result)
        return result


class IDset:
    """A set of non-negative integers (ids).

    IDset(arg="", flags=IDSET_FLAG_RANGE): arg is an RFC 22 idset string
    ("0", "0-3", "1,5,7", "[0-3]"), an int, another IDset (copied), or an
    iterable of non-negative integers.  flags are the default encoding
    flags of str() and encode().

    Invalid input raises ValueError.
    """

    def __init__(self, arg="", flags=IDSET_FLAG_RANGE):
        self._lo = []  # sorted interval starts
        self._hi = []  # matching interval ends
        if isinstance(arg, IDset):
            arg = str(arg)
        elif isinstance(arg, collections.abc.Iterable) and not isinstance(
            arg, str
        ):
            # N.B. like flux-core: a duplicate in the iterable gives an
            # out-of-order string, which is rejected.
            arg = ",".join(str(i) for i in sorted(arg))
        elif isinstance(arg, int):
            arg = str(arg)
        if not isinstance(arg, str):
            raise TypeError(
                f"IDset() expected an idset string or iterable, got {type(arg)}"
            )
        decoded = _decode(arg)
        if decoded is None:
            raise ValueError(f"IDset(): Invalid argument: {arg}")
        self._lo, self._hi = decoded._lo, decoded._hi
        self.default_flags = flags

    def _copy_ranges(self):
        result = _new_idset()
        result._lo = list(self._lo)
        result._hi = list(self._hi)
        return result

    # Interval primitives.

    def _range_set(self, lo, hi):
        """Add lo..hi (C idset_range_set: EINVAL, ERANGE past INT_MAX)."""
        _valid_id(lo)
        _valid_id(hi)
        lo, hi = min(lo, hi), max(lo, hi)
        if hi >= _MAX_UNIVERSE:
            raise _oserror(errno.ERANGE)
        # Intervals that overlap or touch lo..hi merge with it.
        start = bisect.bisect_left(self._hi, lo - 1)
        end = bisect.bisect_right(self._lo, hi + 1)
        if start < end:
            lo = min(lo, self._lo[start])
            hi = max(hi, self._hi[end - 1])
        self._lo[start:end] = [lo]
        self._hi[start:end] = [hi]

    def _range_clear(self, lo, hi):
        """Remove lo..hi (C idset_range_clear: EINVAL for reserved ids)."""
        _valid_id(lo)
        _valid_id(hi)
        lo, hi = min(lo, hi), max(lo, hi)
        start = bisect.bisect_left(self._hi, lo)
        end = bisect.bisect_right(self._lo, hi)
        if start >= end:
            return
        keep_lo, keep_hi = [], []
        if self._lo[start] < lo:
            keep_lo.append(self._lo[start])
            keep_hi.append(lo - 1)
        if self._hi[end - 1] > hi:
            keep_lo.append(hi + 1)
            keep_hi.append(self._hi[end - 1])
        self._lo[start:end] = keep_lo
        self._hi[start:end] = keep_hi

    def _test(self, i):
        index = bisect.bisect_right(self._lo, i) - 1
        return index >= 0 and i <= self._hi[index]

    def _next(self, i):
        # C idset_next() looks from i + 1 in an unsigned int, which wraps.
        i = (i + 1) & _UINT_MAX
        index = bisect.bisect_right(self._lo, i) - 1
        if index >= 0 and i <= self._hi[index]:
            return i
        if index + 1 < len(self._lo):
            return self._lo[index + 1]
        return IDSET_INVALID_ID

    def _ranges(self):
        return zip(self._lo, self._hi)

    def _coerce(self, arg):
        return arg if isinstance(arg, IDset) else IDset(arg)

    # The Python protocol.

    def __str__(self):
        return self.encode()

    def __repr__(self):
        # repr always uses ranges, whatever the default flags.
        return f"IDset('{self.encode(flags=IDSET_FLAG_RANGE)}')"

    def __len__(self):
        return self.count()

    def __iter__(self):
        return IDsetIterator(self)

    def __contains__(self, i):
        return self.test(i)

    def __getitem__(self, i):
        return self.test(i)

    def __setitem__(self, i, value):
        if value in (0, 1):
            value = bool(value)
        if not isinstance(value, bool):
            raise TypeError(
                f"IDset setitem must be bool or 0,1 not {type(value)}"
            )
        if value:
            self.set(i)
        else:
            self.clear(i)

    def __eq__(self, idset):
        return self.equal(idset)

    # Defining __eq__ makes the class unhashable, as flux-core's is.
    __hash__ = None

    def __add__(self, arg):
        return self.union(arg)

    def __or__(self, arg):
        return self.union(arg)

    def __sub__(self, arg):
        return self.difference(arg)

    def __and__(self, arg):
        return self.intersect(arg)

    def __iadd__(self, arg):
        self.add(arg)
        return self

    def __isub__(self, arg):
        self.subtract(arg)
        return self

    # Methods.

    def equal(self, idset):
        """True if idset (an IDset, else TypeError) has the same ids."""
        if not isinstance(idset, IDset):
            raise TypeError
        return self._lo == idset._lo and self._hi == idset._hi

    def set_flags(self, flags):
        """Set the default encoding flags (IDSET_FLAG_RANGE and/or
        IDSET_FLAG_BRACKETS)."""
        self.default_flags = flags

    @staticmethod
    def _check_index(i, name):
        if not isinstance(i, numbers.Integral):
            raise TypeError(f"IDset.{name} supports integers, not {type(i)}")
        if i < 0:
            raise ValueError(f"negative index passed to IDset.{name}")

    def test(self, i):
        """True if id i is in the set."""
        self._check_index(i, "test")
        i = _uint(int(i))
        if i in (_UINT_MAX, IDSET_INVALID_ID):
            return False
        return self._test(i)

    def set(self, start, end=None):
        """Add id start, or ids start..end.  Returns self.

        An id past INT_MAX raises OSError(ERANGE); the two reserved ids
        (UINT_MAX and IDSET_INVALID_ID) raise OSError(EINVAL).
        """
        self._check_index(start, "set")
        start = _uint(int(start))
        if end is None:
            self._range_set(start, start)
        else:
            self._check_index(end, "set")
            end = _uint(int(end))
            if end < start:
                raise ValueError(f"can't set range with {start} > {end}")
            self._range_set(start, end)
        return self

    def clear(self, start, end=None):
        """Remove id start, or ids start..end.  Returns self."""
        self._check_index(start, "clear")
        start = _uint(int(start))
        if end is None:
            self._range_clear(start, start)
        else:
            self._check_index(end, "clear")
            end = _uint(int(end))
            if end < start:
                # (flux-core's words, "set" included)
                raise ValueError(f"can't set range with {start} > {end}")
            self._range_clear(start, end)
        return self

    def expand(self):
        """The ids as a list, ascending."""
        return list(self)

    def count(self):
        """The number of ids in the set."""
        return sum(hi - lo + 1 for lo, hi in self._ranges())

    def copy(self):
        """A copy (with the default encoding flags, as flux-core's)."""
        return self._copy_ranges()

    def encode(self, flags=None):
        """Encode to a string: IDSET_FLAG_RANGE gives "0-3" for 0,1,2,3,
        IDSET_FLAG_BRACKETS puts brackets around a set of more than one
        id.  flags=None means the default flags.
        """
        if flags is None:
            flags = self.default_flags
        if flags & ~(IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE):
            # idset_encode() returns NULL, which flux-core then fails to
            # turn into a string.
            raise RuntimeError(f"IDset.encode: invalid flags {flags}")
        if flags & IDSET_FLAG_RANGE:
            parts = [str(lo) if lo == hi else f"{lo}-{hi}"
                     for lo, hi in self._ranges()]
        else:
            parts = [str(i) for i in self]
        text = ",".join(parts)
        if flags & IDSET_FLAG_BRACKETS and self.count() > 1:
            text = f"[{text}]"
        return text

    def first(self):
        """The smallest id, or IDSET_INVALID_ID if the set is empty."""
        return self._lo[0] if self._lo else IDSET_INVALID_ID

    def next(self, i):
        """The smallest id greater than i, or IDSET_INVALID_ID."""
        self._check_index(i, "next")
        return self._next(_uint(int(i)))

    def last(self):
        """The greatest id, or IDSET_INVALID_ID if the set is empty."""
        return self._hi[-1] if self._hi else IDSET_INVALID_ID

    def add(self, arg):
        """Add the ids of arg (IDset, idset string or iterable of ints)
        in place.  Returns self."""
        arg = self._coerce(arg)
        for lo, hi in list(arg._ranges()):
            self._range_set(lo, hi)
        return self

    def subtract(self, arg):
        """Remove the ids of arg (IDset, idset string or iterable of
        ints) in place.  Returns self."""
        arg = self._coerce(arg)
        for lo, hi in list(arg._ranges()):
            self._range_clear(lo, hi)
        return self

    def union(self, *args):
        """A new IDset with the ids of self and of every arg."""
        result = self.copy()
        for arg in args:
            result.add(arg)
        return result

    def intersect(self, *args):
        """A new IDset with the ids in self and in every arg."""
        result = self.copy()
        for arg in args:
            other = self._coerce(arg)
            common = _new_idset()
            for lo, hi in result._ranges():
                # the intervals of other that overlap lo..hi, clipped
                start = bisect.bisect_left(other._hi, lo)
                end = bisect.bisect_right(other._lo, hi)
                for k in range(start, end):
                    common._lo.append(max(lo, other._lo[k]))
                    common._hi.append(min(hi, other._hi[k]))
            result = common
        return result

    def difference(self, *args):
        """A new IDset with the ids of self that are in no arg."""
        result = self.copy()
        for arg in args:
            result.subtract(arg)
        return result


def decode(string):
    """Decode an idset string into an IDset."""
    return IDset(string)
