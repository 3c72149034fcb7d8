# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.idset: RFC 22 idsets, no broker needed."""

import errno

import pytest

from flux.idset import (
    IDSET_FLAG_BRACKETS,
    IDSET_FLAG_RANGE,
    IDSET_INVALID_ID,
    IDset,
    IDsetIterator,
    decode,
)

INT_MAX = 2**31 - 1


def test_constants():
    assert IDSET_FLAG_BRACKETS == 2
    assert IDSET_FLAG_RANGE == 4
    assert IDSET_INVALID_ID == 2**32 - 2


@pytest.mark.parametrize(
    "text, ids",
    [
        ("", []),
        ("0", [0]),
        ("0-3", [0, 1, 2, 3]),
        ("1,5,7", [1, 5, 7]),
        ("[0-2,9]", [0, 1, 2, 9]),
        ("[]", []),
        ("[5]", [5]),
        ("1,,3,", [1, 3]),  # empty elements are skipped
        (",2", [2]),
        ("10-12,20", [10, 11, 12, 20]),
    ],
)
def test_decode_valid(text, ids):
    assert list(IDset(text)) == ids
    assert list(decode(text)) == ids


@pytest.mark.parametrize(
    "text",
    [
        "a", "1a", "-1", "+1", " 1", "1 ", "01", "00", "0-01",
        "3-3",  # a range must ascend
        "5-2",
        "1-", "-", "1-2-3",
        "3,1",  # elements must ascend
        "1,1",
        "0-3,2",
        "[1", "1]", "[[1]]", "1[2]",
        "2147483648",  # past INT_MAX
        "0-2147483648",
        "99999999999999999999",  # past ULONG_MAX
    ],
)
def test_decode_invalid_raises_valueerror(text):
    with pytest.raises(ValueError) as exc:
        IDset(text)
    assert str(exc.value) == f"IDset(): Invalid argument: {text}"


def test_decode_largest_id_and_huge_range():
    ids = IDset(f"0-{INT_MAX}")
    assert len(ids) == INT_MAX + 1
    assert ids.last() == INT_MAX
    assert str(ids) == f"0-{INT_MAX}"


def test_decode_wraps_like_a_c_unsigned_int():
    # libidset stores the parsed number in an unsigned int.
    assert list(IDset("4294967296")) == [0]
    assert list(IDset("4294967301")) == [5]


def test_constructor_from_other_types():
    assert str(IDset(5)) == "5"
    assert str(IDset([3, 1, 2])) == "1-3"
    assert str(IDset({7, 0, 1})) == "0-1,7"
    assert str(IDset(range(4, 8))) == "4-7"
    orig = IDset("1-3")
    copy = IDset(orig)
    copy.set(9)
    assert str(orig) == "1-3" and str(copy) == "1-3,9"


def test_constructor_bad_types_and_values():
    # a duplicate in an iterable makes an out-of-order string
    with pytest.raises(ValueError, match=r"Invalid argument: 1,1$"):
        IDset([1, 1])
    with pytest.raises(ValueError, match=r"Invalid argument: -1$"):
        IDset([-1])
    with pytest.raises(ValueError, match=r"Invalid argument: True$"):
        IDset(True)
    with pytest.raises(TypeError):
        IDset(None)
    with pytest.raises(TypeError):
        IDset(1.5)
    with pytest.raises(TypeError):
        IDset([1, "a"])


def test_str_repr_encode_flags():
    ids = IDset("0-3,7")
    assert str(ids) == "0-3,7"
    assert repr(ids) == "IDset('0-3,7')"
    assert ids.encode() == "0-3,7"
    assert ids.encode(0) == "0,1,2,3,7"
    assert ids.encode(IDSET_FLAG_BRACKETS) == "[0,1,2,3,7]"
    assert ids.encode(IDSET_FLAG_RANGE | IDSET_FLAG_BRACKETS) == "[0-3,7]"
    # brackets only for more than one id
    assert IDset("5").encode(IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE) == "5"
    assert IDset("").encode(IDSET_FLAG_BRACKETS) == ""
    assert IDset("5-6").encode(IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE) == "[5-6]"
    assert IDset("5-6").encode(IDSET_FLAG_RANGE) == "5-6"


def test_default_flags():
    ids = IDset("1-3", flags=IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE)
    assert str(ids) == "[1-3]"
    assert repr(ids) == "IDset('1-3')"  # repr always ranges, no brackets
    ids.set_flags(0)
    assert str(ids) == "1,2,3"
    assert ids.default_flags == 0
    # copies and results of set operations get the default flags
    assert str(ids.copy()) == "1-3"
    assert str(ids.union("9")) == "1-3,9"


def test_encode_bad_flags():
    with pytest.raises(RuntimeError):
        IDset("1").encode(1)
    with pytest.raises(RuntimeError):
        IDset("1").encode(8 | IDSET_FLAG_RANGE)


def test_len_count_expand_iter_bool():
    ids = IDset("2,4-6")
    assert len(ids) == 4 and ids.count() == 4
    assert ids.expand() == [2, 4, 5, 6]
    it = iter(ids)
    assert isinstance(it, IDsetIterator)
    assert iter(it) is it
    assert next(it) == 2 and list(it) == [4, 5, 6]
    assert not IDset()
    assert IDset("0")


def test_test_contains_getitem():
    ids = IDset("1,3")
    assert ids.test(1) and not ids.test(2)
    assert 3 in ids and 4 not in ids
    assert ids[1] is True and ids[0] is False
    assert not ids.test(IDSET_INVALID_ID)
    assert not ids.test(2**32 - 1)
    with pytest.raises(TypeError, match="IDset.test supports integers"):
        "1" in ids  # pylint: disable=pointless-statement
    with pytest.raises(ValueError, match="negative index passed to IDset.test"):
        ids.test(-1)
    with pytest.raises(OverflowError):
        ids.test(2**32)


def test_set_and_clear():
    ids = IDset()
    assert ids.set(3) is ids
    ids.set(5, 8).set(0)
    assert str(ids) == "0,3,5-8"
    assert ids.clear(6) is ids
    assert str(ids) == "0,3,5,7-8"
    ids.clear(0, 5)
    assert str(ids) == "7-8"
    ids.clear(1000)  # not there: nothing happens
    ids.clear(2**31 + 5)
    assert str(ids) == "7-8"
    ids.set(7)  # already there
    assert len(ids) == 2
    ids.set(INT_MAX)
    assert ids.last() == INT_MAX
    ids.set(9, 9)
    assert str(ids) == f"7-9,{INT_MAX}"


def test_set_clear_errors():
    ids = IDset("1-3")
    with pytest.raises(ValueError, match=r"can't set range with 5 > 2"):
        ids.set(5, 2)
    with pytest.raises(ValueError, match=r"can't set range with 5 > 2"):
        ids.clear(5, 2)
    with pytest.raises(ValueError, match="negative index passed to IDset.set"):
        ids.set(-1)
    with pytest.raises(ValueError, match="negative index passed to IDset.clear"):
        ids.clear(1, -1)
    with pytest.raises(TypeError, match="IDset.set supports integers"):
        ids.set("1")
    with pytest.raises(TypeError, match="IDset.clear supports integers"):
        ids.clear(1.0)
    # past INT_MAX: the universe cannot grow
    with pytest.raises(OSError) as exc:
        ids.set(2**31)
    assert exc.value.errno == errno.ERANGE
    assert exc.value.strerror == "ERANGE: Numerical result out of range"
    with pytest.raises(OSError) as exc:
        ids.set(0, 2**31)
    assert exc.value.errno == errno.ERANGE
    # the reserved ids
    for reserved in (IDSET_INVALID_ID, 2**32 - 1):
        with pytest.raises(OSError) as exc:
            ids.set(reserved)
        assert exc.value.errno == errno.EINVAL
        assert exc.value.strerror == "EINVAL: Invalid argument"
        with pytest.raises(OSError) as exc:
            ids.clear(reserved)
        assert exc.value.errno == errno.EINVAL
    with pytest.raises(OverflowError):
        ids.set(2**32)
    assert str(ids) == "1-3"


def test_setitem():
    ids = IDset()
    ids[4] = True
    ids[5] = 1
    ids[6] = True
    ids[5] = 0
    assert str(ids) == "4,6"
    ids[6] = False
    assert str(ids) == "4"
    with pytest.raises(TypeError, match="IDset setitem must be bool or 0,1"):
        ids[1] = 2
    with pytest.raises(TypeError):
        ids[1] = "yes"


def test_first_next_last():
    ids = IDset("3,7-8")
    assert ids.first() == 3
    assert ids.next(3) == 7
    assert ids.next(0) == 3
    assert ids.next(7) == 8
    assert ids.next(8) == IDSET_INVALID_ID
    assert ids.last() == 8
    # libidset looks from i + 1 in an unsigned int: UINT_MAX wraps to 0
    assert ids.next(2**32 - 1) == 3
    assert ids.next(IDSET_INVALID_ID) == IDSET_INVALID_ID
    empty = IDset()
    assert empty.first() == IDSET_INVALID_ID
    assert empty.last() == IDSET_INVALID_ID
    with pytest.raises(ValueError):
        ids.next(-1)
    with pytest.raises(TypeError):
        ids.next("3")


def test_equal_and_unhashable():
    assert IDset("1-3") == IDset([1, 2, 3])
    assert IDset("1-3") != IDset("1-4")
    assert IDset("1-3").equal(IDset("[1-3]"))
    with pytest.raises(TypeError):
        IDset("1") == "1"  # pylint: disable=expression-not-assigned
    with pytest.raises(TypeError):
        hash(IDset("1"))


def test_set_operations_return_new_sets():
    a = IDset("1-10")
    assert str(a.union("20", [30, 31])) == "1-10,20,30-31"
    assert str(a + "11") == "1-11"
    assert str(a | IDset("0")) == "0-10"
    assert str(a.difference("3-5", [10])) == "1-2,6-9"
    assert str(a - "2") == "1,3-10"
    assert str(a.intersect("5-20", IDset("0-6"))) == "5-6"
    assert str(a & [2, 4, 11]) == "2,4"
    assert str(a.intersect("")) == ""
    assert str(a.intersect()) == "1-10"
    assert str(a) == "1-10"  # unchanged
    with pytest.raises(ValueError):
        a.union("x")


def test_in_place_operations():
    a = IDset("1-3")
    b = a
    a += "5"
    assert a is b and str(a) == "1-3,5"
    a -= [1, 2]
    assert a is b and str(a) == "3,5"
    assert a.add("4") is a
    assert str(a) == "3-5"
    assert a.subtract(IDset("4")) is a
    assert str(a) == "3,5"
    with pytest.raises(ValueError):
        a.add("5-4")


def test_iterator_follows_changes():
    ids = IDset("1-3")
    result = []
    for i in ids:
        result.append(i)
        if i == 1:
            ids.set(10)
    assert result == [1, 2, 3, 10]


def test_copy_is_independent():
    a = IDset("1-3")
    b = a.copy()
    b.clear(2)
    assert str(a) == "1-3" and str(b) == "1,3"
