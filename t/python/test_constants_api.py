# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.constants: every integer FLUX_* constant of flux-core's libflux
headers (those <flux/core.h> pulls in through flux.h) and of libkvs's
kvs.h, with flux-core's values, and reachable after a bare `import flux`.

The table was taken from flux-core v0.88.0-59's headers (compiled, so
enum members and expressions are evaluated as C sees them); the
FLUX_PLUGIN_* and FLUX_CORE_VERSION_* constants are left out as they
change with the version.
"""

import os
import subprocess
import sys

import pytest

import flux.constants

FLUX_CORE_CONSTANTS = {
    "FLUX_CONF_AUTO": 2,
    "FLUX_CONF_INSTALLED": 0,
    "FLUX_CONF_INTREE": 1,
    "FLUX_EVENT_PRIVATE": 1,
    "FLUX_KVS_APPEND": 0x20,
    "FLUX_KVS_NO_MERGE": 1,
    "FLUX_KVS_READDIR": 1,
    "FLUX_KVS_READLINK": 2,
    "FLUX_KVS_STREAM": 0x200,
    "FLUX_KVS_SYNC": 4,
    "FLUX_KVS_TREEOBJ": 0x10,
    "FLUX_KVS_TXN_COMPACT": 2,
    "FLUX_KVS_WAITCREATE": 8,
    "FLUX_KVS_WATCH": 4,
    "FLUX_KVS_WATCH_APPEND": 0x100,
    "FLUX_KVS_WATCH_FULL": 0x40,
    "FLUX_KVS_WATCH_INITIAL_SENTINEL": 0x400,
    "FLUX_KVS_WATCH_UNIQ": 0x80,
    "FLUX_MATCHTAG_NONE": 0,
    "FLUX_MSGFLAG_NORESPONSE": 4,
    "FLUX_MSGFLAG_PAYLOAD": 2,
    "FLUX_MSGFLAG_PRIVATE": 0x20,
    "FLUX_MSGFLAG_ROUTE": 8,
    "FLUX_MSGFLAG_STREAMING": 0x40,
    "FLUX_MSGFLAG_TOPIC": 1,
    "FLUX_MSGFLAG_UPSTREAM": 0x10,
    "FLUX_MSGFLAG_USER1": 0x80,
    "FLUX_MSGTYPE_ANY": 15,
    "FLUX_MSGTYPE_CONTROL": 8,
    "FLUX_MSGTYPE_EVENT": 4,
    "FLUX_MSGTYPE_MASK": 15,
    "FLUX_MSGTYPE_REQUEST": 1,
    "FLUX_MSGTYPE_RESPONSE": 2,
    "FLUX_NODEID_ANY": 0xffffffff,
    "FLUX_NODEID_UPSTREAM": 0xfffffffe,
    "FLUX_O_CLONE": 2,
    "FLUX_O_MATCHDEBUG": 8,
    "FLUX_O_NONBLOCK": 4,
    "FLUX_O_NOREQUEUE": 0x40,
    "FLUX_O_RPCTRACK": 0x20,
    "FLUX_O_TEST_NOSUB": 0x10,
    "FLUX_O_TRACE": 1,
    "FLUX_POLLERR": 4,
    "FLUX_POLLIN": 1,
    "FLUX_POLLOUT": 2,
    "FLUX_REACTOR_NOWAIT": 1,
    "FLUX_REACTOR_ONCE": 2,
    "FLUX_ROLE_ADMIN": 8,
    "FLUX_ROLE_ALL": 0xffffffff,
    "FLUX_ROLE_LOCAL": 4,
    "FLUX_ROLE_NONE": 0,
    "FLUX_ROLE_OWNER": 1,
    "FLUX_ROLE_PRIVILEGED": 9,
    "FLUX_ROLE_USER": 2,
    "FLUX_RPC_NORESPONSE": 1,
    "FLUX_RPC_STREAMING": 2,
    "FLUX_RQ_HEAD": 1,
    "FLUX_RQ_TAIL": 2,
    "FLUX_USERID_UNKNOWN": 0xffffffff,
}


@pytest.mark.parametrize("name", sorted(FLUX_CORE_CONSTANTS))
def test_constant_value(name):
    assert hasattr(flux.constants, name), f"flux.constants.{name} missing"
    value = getattr(flux.constants, name)
    assert isinstance(value, int)
    assert value == FLUX_CORE_CONSTANTS[name]


@pytest.mark.parametrize("name", sorted(FLUX_CORE_CONSTANTS))
def test_constant_in_all(name):
    assert name in flux.constants.__all__


def test_every_exported_name_is_a_flux_constant():
    for name in flux.constants.__all__:
        assert name.startswith("FLUX_")
        assert getattr(flux.constants, name) is not None


def test_reachable_after_bare_import_flux():
    code = ("import flux; "
            "print(flux.constants.FLUX_MSGTYPE_REQUEST, "
            "flux.constants.FLUX_NODEID_ANY, flux.constants.FLUX_KVS_WATCH)")
    out = subprocess.run([sys.executable, "-c", code], check=True,
                         capture_output=True, text=True, env=os.environ)
    assert out.stdout.split() == [
        str(FLUX_CORE_CONSTANTS["FLUX_MSGTYPE_REQUEST"]),
        str(FLUX_CORE_CONSTANTS["FLUX_NODEID_ANY"]),
        str(FLUX_CORE_CONSTANTS["FLUX_KVS_WATCH"]),
    ]


def test_raw_and_handle_expose_constants(h):
    from flux.core.inner import raw

    assert raw.FLUX_MSGTYPE_EVENT == FLUX_CORE_CONSTANTS["FLUX_MSGTYPE_EVENT"]
    # flux-core's handle looks names up with the FLUX_ prefix too
    assert h.FLUX_RPC_STREAMING == FLUX_CORE_CONSTANTS["FLUX_RPC_STREAMING"]
