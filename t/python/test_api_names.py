# SPDX-License-Identifier: LGPL-3.0-or-later
"""The names of the Python API, as flux-core spells them (issue 3, item
2, and the spec's API reference): a module written for flux-core must
find every one of them here.  Behaviour is tested elsewhere; this file
fails if a name is missing, renamed or given another signature, or if
a member the spec's autodoc reference lists has no docstring.
"""

import inspect

import pytest

import flux
import flux.brokermod
import flux.constants
import flux.future
import flux.message
import flux.rpc

FLUX_METHODS = [
    "rpc", "respond", "respond_error", "send", "recv",
    "event_subscribe", "event_unsubscribe", "event_send",
    "msg_watcher_create", "timer_watcher_create", "fd_watcher_create",
    "signal_watcher_create", "prepare_watcher_create",
    "check_watcher_create", "idle_watcher_create",
    "reactor_run", "reactor_stop", "reactor_stop_error",
    "log", "attr_get", "attr_set", "service_register",
    "service_unregister",
    # flux-core's handle has these too
    "event_create", "event_recv", "attr_remove", "conf_get", "get_rank",
    "add_watcher", "del_watcher", "close", "in_reactor", "reactor_running",
    "reactor_enter", "reactor_exit", "set_exception", "raise_if_exception",
    "get_reactor",
]


def params(func):
    return [(p.name, p.default) for p in
            inspect.signature(func).parameters.values()
            if p.name != "self"]


def test_flux_constructor_signature():
    assert params(flux.Flux)[:3] == [("url", None), ("flags", 0),
                                     ("handle", None)]


@pytest.mark.parametrize("name", FLUX_METHODS)
def test_flux_has_method(name):
    assert callable(getattr(flux.Flux, name, None)), name


@pytest.mark.parametrize("name,first", [
    ("rpc", ["topic", "payload", "nodeid", "flags"]),
    ("respond", ["message", "payload"]),
    ("respond_error", ["message", "errnum", "errstr"]),
    ("msg_watcher_create", ["callback", "type_mask", "topic_glob",
                            "args", "match_tag", "rolemask"]),
    ("timer_watcher_create", ["after", "callback", "repeat", "args"]),
    ("fd_watcher_create", ["fd_int", "callback", "events", "args"]),
    ("signal_watcher_create", ["signum", "callback", "args"]),
    ("prepare_watcher_create", ["callback", "args"]),
    ("check_watcher_create", ["callback", "args"]),
    ("idle_watcher_create", ["callback", "args"]),
    ("log", ["level", "fstring"]),
    ("send", ["message", "flags"]),
    ("recv", ["type_mask", "match_tag", "topic_glob", "flags"]),
    ("attr_get", ["attr_name"]),
    ("attr_set", ["attr", "value"]),
    ("attr_remove", ["attr"]),
    ("conf_get", ["key", "default", "update"]),
])
def test_flux_method_parameters(name, first):
    names = [n for n, _ in params(getattr(flux.Flux, name))]
    assert names[:len(first)] == first


@pytest.mark.parametrize("name", ["topic", "payload", "payload_str",
                                  "type", "userid", "rolemask"])
def test_message_properties(name):
    assert isinstance(getattr(flux.message.Message, name, None), property)


@pytest.mark.parametrize("cls,name", [
    (flux.future.Future, "get"), (flux.future.Future, "then"),
    (flux.future.Future, "wait_for"), (flux.future.Future, "reset"),
    (flux.rpc.RPC, "get"), (flux.rpc.RPC, "get_str"),
    (flux.rpc.RPC, "then"), (flux.rpc.RPC, "wait_for"),
    (flux.rpc.RPC, "reset"),
])
def test_future_methods(cls, name):
    assert callable(getattr(cls, name, None))


def test_rpc_is_a_future():
    assert issubclass(flux.rpc.RPC, flux.future.Future)


@pytest.mark.parametrize("name", [
    "FLUX_MSGTYPE_REQUEST", "FLUX_MSGTYPE_RESPONSE", "FLUX_MSGTYPE_EVENT",
    "FLUX_MSGTYPE_ANY", "FLUX_NODEID_ANY", "FLUX_RPC_STREAMING",
    "FLUX_RPC_NORESPONSE", "FLUX_ROLE_OWNER", "FLUX_ROLE_USER",
    "FLUX_POLLIN", "FLUX_POLLOUT",
])
def test_constants(name):
    assert isinstance(getattr(flux.constants, name, None), int)


def test_brokermod_exports():
    for name in ("BrokerModule", "BrokerLogger", "request_handler",
                 "event_handler"):
        assert name in flux.brokermod.__all__


def test_broker_logger_has_the_eight_syslog_methods():
    for name in ("debug", "info", "notice", "warning", "error", "critical",
                 "alert", "emerg"):
        assert callable(getattr(flux.brokermod.BrokerLogger, name, None))


@pytest.mark.parametrize("name", ["handle", "name", "args", "run", "stop",
                                  "stop_error", "set_running",
                                  "debug_test"])
def test_brokermodule_members_are_documented(name):
    member = getattr(flux.brokermod.BrokerModule, name)
    assert inspect.getdoc(member), f"BrokerModule.{name} has no docstring"


def test_brokermodule_handle_name_args_are_properties():
    for name in ("handle", "name", "args"):
        assert isinstance(getattr(flux.brokermod.BrokerModule, name),
                          property)


@pytest.mark.parametrize("func", [flux.brokermod.BrokerModule,
                                  flux.brokermod.request_handler,
                                  flux.brokermod.event_handler])
def test_autodoc_targets_are_documented(func):
    assert inspect.getdoc(func)


def test_decorator_signatures():
    assert params(flux.brokermod.request_handler) == [
        ("topic", inspect.Parameter.empty), ("prefix", True),
        ("allow_guest", False)]
    assert params(flux.brokermod.event_handler) == [
        ("topic", inspect.Parameter.empty), ("prefix", True)]
