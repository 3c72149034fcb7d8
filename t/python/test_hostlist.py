# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.hostlist: RFC 29 hostlists, no broker needed."""

import errno

import pytest

from flux.hostlist import Hostlist, HostlistIterator, decode


@pytest.mark.parametrize(
    "text, encoded, hosts",
    [
        ("", "", []),
        ("host", "host", ["host"]),
        ("n1,n2,n3", "n[1-3]", ["n1", "n2", "n3"]),
        ("n[1-3,5],other[01-02]", "n[1-3,5],other[01-02]",
         ["n1", "n2", "n3", "n5", "other01", "other02"]),
        # separators: commas, spaces, tabs, repeated or at either end
        (" a\tb,,c ", "a,b,c", ["a", "b", "c"]),
        # zero padding follows the low number of the range
        ("n[08-11]", "n[08-11]", ["n08", "n09", "n10", "n11"]),
        ("n[8-011]", "n[8-11]", ["n8", "n9", "n10", "n11"]),
        ("n[001-2]", "n[001-002]", ["n001", "n002"]),
        # names ending in digits merge into ranges; others stay apart
        ("n1,n2,login,n3", "n[1-2],login,n3", ["n1", "n2", "login", "n3"]),
        ("n1,n01", "n[1,01]", ["n1", "n01"]),
        ("n9,n10", "n[9-10]", ["n9", "n10"]),
        ("n09,n10", "n[09-10]", ["n09", "n10"]),
        ("1,2,3,7", "[1-3,7]", ["1", "2", "3", "7"]),
        ("[3-4]", "[3-4]", ["3", "4"]),
        # a suffix after the brackets makes plain names
        ("n[1-2]-ib", "n1-ib,n2-ib", ["n1-ib", "n2-ib"]),
        ("rack1-n[1-2]", "rack1-n[1-2]", ["rack1-n1", "rack1-n2"]),
        # duplicates and order are kept
        ("b,a,b", "b,a,b", ["b", "a", "b"]),
        ("n[3,1,2]", "n[3,1-2]", ["n3", "n1", "n2"]),
        # a range end may be left off
        ("n[4-]", "n4", ["n4"]),
    ],
)
def test_decode_encode(text, encoded, hosts):
    hl = Hostlist(text)
    assert str(hl) == encoded
    assert hl.encode() == encoded
    assert repr(hl) == f"Hostlist('{encoded}')"
    assert list(hl) == hosts
    assert hl.expand() == hosts
    assert len(hl) == len(hosts) == hl.count()
    assert str(decode(text)) == encoded


@pytest.mark.parametrize(
    "text",
    [
        "[]", "n[]", "n[", "n[1,3", "n[[1]", "n]", "a,b]", "n[x]",
        "n[1-x]", "n[3-1]", "n[1--3]", "n[1,]", "n[,1]", "n[1x]",
        "n[0-1048576]",  # more than 1M hosts in one range
    ],
)
def test_decode_invalid(text):
    with pytest.raises(ValueError) as exc:
        Hostlist(text)
    assert str(exc.value) == f"Invalid hostlist: '{text}'"


def test_largest_range():
    hl = Hostlist("n[0-1048575]")
    assert len(hl) == 1048576
    assert hl[-1] == "n1048575"


def test_from_iterable():
    hl = Hostlist(["a[1-2]", "a3", "b"])
    assert str(hl) == "a[1-3],b"
    assert str(Hostlist(Hostlist("x[1-2]"))) == "x[1-2]"
    assert str(Hostlist([])) == ""
    with pytest.raises(ValueError) as exc:
        Hostlist(["ok", "bad["])
    assert str(exc.value) == "Invalid hostlist: 'bad['"
    with pytest.raises(TypeError) as exc:
        Hostlist(["a", 1])
    assert "expected string or Iterable, got <class 'int'>" in str(exc.value)
    with pytest.raises(TypeError) as exc:
        Hostlist(42)
    assert "expected string or Iterable, got <class 'int'>" in str(exc.value)
    with pytest.raises(TypeError):
        Hostlist(None)


def test_getitem():
    hl = Hostlist("foo[0-9]")
    assert hl[0] == "foo0"
    assert hl[9] == "foo9"
    assert hl[-1] == "foo9"
    assert hl[-10] == "foo0"
    assert isinstance(hl[1:3], Hostlist)
    assert str(hl[8:]) == "foo[8-9]"
    assert str(hl[1:3]) == "foo[1-2]"
    assert str(hl[::3]) == "foo[0,3,6,9]"
    assert str(hl[::-4]) == "foo[9,5,1]"
    assert str(hl[1, 3]) == "foo[1,3]"
    assert str(hl[[5, 0]]) == "foo[5,0]"
    assert str(hl[20:]) == ""
    for bad in (10, -11):
        with pytest.raises(IndexError, match="Hostlist index out of range"):
            hl[bad]  # pylint: disable=pointless-statement
    with pytest.raises(IndexError):
        hl[[1, 10]]  # pylint: disable=pointless-statement
    with pytest.raises(TypeError, match="Invalid Hostlist index 'x'"):
        hl[[1, "x"]]  # pylint: disable=pointless-statement
    with pytest.raises(TypeError, match="Invalid Hostlist index 'a'"):
        hl["a"]  # pylint: disable=pointless-statement
    with pytest.raises(TypeError, match="Hostlist index must be integer or slice"):
        hl[1.5]  # pylint: disable=pointless-statement


def test_iteration():
    hl = Hostlist("a,b[1-2]")
    it = iter(hl)
    assert isinstance(it, HostlistIterator)
    assert iter(it) is it
    assert next(it) == "a"
    assert list(it) == ["b1", "b2"]
    with pytest.raises(StopIteration):
        next(it)


def test_find_and_contains():
    hl = Hostlist("n[1-5],login,x[01-10],n3")
    assert hl.find("n1") == 0
    assert hl.find("n3") == 2  # the first one
    assert hl.find("login") == 5
    assert hl.find("x10") == 15
    assert "x05" in hl
    # the padding must match
    assert "x5" not in hl
    assert "n03" not in hl
    assert "n" not in hl and "log" not in hl and "n6" not in hl
    with pytest.raises(FileNotFoundError) as exc:
        hl.find("nothere")
    assert exc.value.errno == errno.ENOENT
    assert exc.value.strerror == "ENOENT: No such file or directory"
    # not a host name at all
    for bad in ("a,b", "a b", "n[1]"):
        with pytest.raises(OSError) as exc:
            hl.find(bad)
        assert exc.value.errno == errno.EINVAL
        assert exc.value.strerror == "EINVAL: Invalid argument"


@pytest.mark.parametrize(
    "hostlist, host, position",
    [
        ("n1x,n1", "n1", 1),
        ("nn,n", "n", 1),
        ("n0,n", "n", 1),
        ("[0-5]", "3", 3),
        ("[0-5]x", "0", None),
        ("n[1-3]-ib", "n2-ib", 1),
        ("n[1-3]", "n2-ib", None),
        # a prefix ending in digits: the name's digits are split to match
        ("f00[7-8]", "f007", 0),
        ("f00[7-8,10]", "f0010", 2),
        ("rack1n[1-2]", "rack1n2", 1),
        ("rack1-n2", "rack12", None),
    ],
)
def test_find_matching_rules(hostlist, host, position):
    hl = Hostlist(hostlist)
    if position is None:
        assert host not in hl
        with pytest.raises(FileNotFoundError):
            hl.find(host)
    else:
        assert hl.find(host) == position
        assert hl[position] == host


def test_index():
    hl = Hostlist("n[0-9]")
    assert hl.index("n[3,1]") == [3, 1]
    assert hl.index(Hostlist("n9")) == [9]
    assert hl.index("n[5,20-21],x", ignore_nomatch=True) == [5]
    with pytest.raises(FileNotFoundError) as exc:
        hl.index("n[1,20]")
    assert str(exc.value) == "host 'n20' not found"
    with pytest.raises(FileNotFoundError) as exc:
        hl.index("n[1,20-21],x")
    assert str(exc.value) == "hosts 'n[20-21],x' not found"
    with pytest.raises(ValueError):
        hl.index("n[")


def test_append():
    hl = Hostlist("n[1-2]")
    assert hl.append("n3") == 1
    assert str(hl) == "n[1-3]"
    assert hl.append("a", Hostlist("b[1-3]"), ["c", "d"]) == 6
    assert str(hl) == "n[1-3],a,b[1-3],c,d"
    assert hl.append() == 0
    assert hl.append("") == 0
    with pytest.raises(ValueError):
        hl.append("x[")
    with pytest.raises(TypeError):
        hl.append(5)


def test_append_to_itself():
    hl = Hostlist("n2,n1")
    assert hl.append(hl) == 2
    assert hl.expand() == ["n2", "n1", "n2", "n1"]
    assert str(hl) == "n[2,1-2,1]"


def test_delete():
    hl = Hostlist("n[1-5],login,n3")
    assert hl.delete("n3") == 1
    assert str(hl) == "n[1-2,4-5],login,n3"  # the first one only
    assert hl.delete("n3") == 1
    assert str(hl) == "n[1-2,4-5],login"
    assert hl.delete("n[1,5],login,nothere") == 3
    assert str(hl) == "n[2,4]"
    assert hl.delete(Hostlist("n4")) == 1
    assert hl.delete("n02") == 0  # padding differs: not there
    assert hl.delete("n2") == 1
    assert str(hl) == "" and len(hl) == 0
    with pytest.raises(OSError) as exc:
        hl.delete("n[")
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(OSError) as exc:
        hl.delete("n[0-1048576]")
    assert exc.value.errno == errno.ERANGE


def test_delete_from_suffixed_and_single():
    hl = Hostlist("foo[2-4]-eth2")
    assert hl.delete("foo3-eth2") == 1
    assert str(hl) == "foo2-eth2,foo4-eth2"
    hl = Hostlist("n[0-7]")
    assert hl.delete("n[1,0,2-7]") == 8
    assert str(hl) == ""


@pytest.mark.parametrize(
    "text, sorted_, uniq",
    [
        ("c,a,b", "a,b,c", "a,b,c"),
        ("n[5-6],n3,n4", "n[3-6]", "n[3-6]"),
        ("n[4-6],n[1-2],n3", "n[1-6]", "n[1-6]"),
        # sort keeps duplicates next to each other, uniq drops them
        ("n[0-20],n12,n15", "n[0-12,12-15,15-20]", "n[0-20]"),
        ("n[5-6],n[4-7]", "n[4-5,5-6,6-7]", "n[4-7]"),
        ("n[0-3],n[0-3]", "n[0,0-1,1-2,2-3,3]", "n[0-3]"),
        ("b,a,b,a", "a,a,b,b", "a,b"),
        # names without a number sort before numbered ones of that prefix
        ("n2,n,n1,n", "n,n,n[1-2]", "n,n[1-2]"),
        # incompatible padding sorts by width
        ("n[0-20],n45,n12,n015", "n[0-12,12-20,45,015]", "n[0-20,45,015]"),
        ("z1,a10,a9", "a[9-10],z1", "a[9-10],z1"),
        ("", "", ""),
        ("only", "only", "only"),
    ],
)
def test_sort_and_uniq(text, sorted_, uniq):
    hl = Hostlist(text)
    assert hl.sort() is hl
    assert str(hl) == sorted_
    assert len(hl) == len(Hostlist(text))
    hl = Hostlist(text)
    assert hl.uniq() is hl
    assert str(hl) == uniq
    assert len(hl) == len(set(Hostlist(text)))


def test_copy_is_independent():
    hl = Hostlist("n[1-3]")
    cp = hl.copy()
    cp.delete("n2")
    cp.append("x")
    assert str(hl) == "n[1-3]" and len(hl) == 3
    assert str(cp) == "n[1,3],x" and len(cp) == 3


def test_no_equality_by_value():
    # flux-core's Hostlist compares by identity
    a = Hostlist("n1")
    assert a == a  # pylint: disable=comparison-with-itself
    assert a != Hostlist("n1")
