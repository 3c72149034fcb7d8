# SPDX-License-Identifier: LGPL-3.0-or-later
"""Behaviour that no other test pinned down, found by mutation testing
(scripts/mutate-py, doc/mutation.md): each test names the mutant it
kills.
"""

import errno

import pytest

import flux.kvs
from flux.brokermod import parse_level


@pytest.mark.parametrize("level", [True, False, 3.0, None])
def test_parse_level_takes_only_a_name_or_an_int(level):
    # brokermod.py parse_level: "isinstance(level, int) and not
    # isinstance(level, bool)" with "or" took a bool or a float as a
    # level.
    with pytest.raises(ValueError):
        parse_level(level)


def test_parse_level_ints_and_names():
    assert parse_level(0) == 0
    assert parse_level(7) == 7
    assert parse_level(" Err ") == 3


def test_txn_context_lets_an_exception_through(h):
    # kvs.py KVSTxn.__exit__ returning True swallowed the exception
    # raised inside the with block.
    with pytest.raises(RuntimeError, match="inside the block"):
        with flux.kvs.KVSTxn(h) as txn:
            txn.put("mutation-kills.txn", 1)
            raise RuntimeError("inside the block")
    # The block's writes are committed all the same, as before.
    assert flux.kvs.get(h, "mutation-kills.txn") == 1


@pytest.mark.parametrize("val", [{"data": 5}, {"data": "abc"}, {}])
def test_malformed_value_is_eproto(h, monkeypatch, val):
    # kvs.py get_key_direct: a "data" that is not base64 text (TypeError
    # or ValueError from b64decode) or is missing (KeyError) is a
    # protocol error, not a Python exception of the bindings' own.
    monkeypatch.setattr(flux.kvs, "_lookup", lambda *args: val)
    with pytest.raises(OSError) as exc:
        flux.kvs.get_key_direct(h, "mutation-kills.malformed")
    assert exc.value.errno == errno.EPROTO
