# SPDX-License-Identifier: LGPL-3.0-or-later
"""The URIs and flags flux.Flux() (flux_open) accepts, as flux-core's:
connector URIs, path-like names of the enclosing instance and its
ancestors, and the FLUX_O_* flags."""

import errno

import pytest

import flux
from flux.constants import FLUX_O_NONBLOCK, FLUX_O_TEST_NOSUB


@pytest.fixture
def in_instance(broker_uri, monkeypatch):
    monkeypatch.setenv("FLUX_URI", broker_uri)
    return broker_uri


@pytest.mark.parametrize("path", [".", "./", "..", "../..", "/"])
def test_path_like_uri_reaches_the_instance(in_instance, path):
    # A one-level instance (instance-level 0) is its own root and has no
    # parent: every path-like name resolves to it.
    h = flux.Flux(path)
    assert h.attr_get("local-uri") == in_instance
    assert h.get_rank() == 0


@pytest.mark.parametrize("path,text", [
    ("/x", "/x: invalid URI"),
    ("..x", "..x: invalid URI path element '..x'"),
    ("./a/..", "./a/..: invalid URI path element 'a'"),
])
def test_bad_path_like_uri(in_instance, path, text):
    with pytest.raises(OSError) as exc:
        flux.Flux(path)
    assert exc.value.errno == errno.EINVAL
    assert exc.value.strerror == "Unable to connect to Flux: " + text


def test_path_like_uri_needs_flux_uri(monkeypatch):
    monkeypatch.delenv("FLUX_URI", raising=False)
    with pytest.raises(OSError) as exc:
        flux.Flux("..")
    assert exc.value.errno == errno.ENOENT
    assert "FLUX_URI is not set" in exc.value.strerror


def test_unknown_flags_are_einval(broker_uri):
    with pytest.raises(OSError) as exc:
        flux.Flux(broker_uri, flags=1 << 12)
    assert exc.value.errno == errno.EINVAL
    assert exc.value.strerror == \
        "Unable to connect to Flux: invalid flags specified"


def test_flux_core_flags_are_accepted(broker_uri):
    h = flux.Flux(broker_uri, flags=FLUX_O_NONBLOCK)
    with pytest.raises(OSError) as exc:
        h.recv()
    assert exc.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)


def test_test_nosub_makes_subscribe_a_no_op(broker_uri):
    # With FLUX_O_TEST_NOSUB nothing is asked of the broker: even a
    # subscription the broker would refuse (no topic) "succeeds".
    h = flux.Flux(broker_uri, flags=FLUX_O_TEST_NOSUB)
    h.event_subscribe("nosub.")
    h.event_send("nosub.x")
    with pytest.raises(OSError) as exc:
        h.recv(flags=FLUX_O_NONBLOCK)
    assert exc.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)


def test_unknown_scheme(broker_uri):
    with pytest.raises(OSError) as exc:
        flux.Flux("bogus://x")
    assert exc.value.errno == errno.ENOENT
    assert exc.value.strerror == \
        "Unable to connect to Flux: Unable to find connector name 'bogus'"

