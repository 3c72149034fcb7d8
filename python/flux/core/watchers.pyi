# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.core.watchers (see doc/typing.rst).  Callbacks take
# flux-core's arguments:
#   timer, prepare, check, idle:  cb(h, watcher, revents, args)
#   fd:                           cb(h, watcher, fd, revents, args)
#   signal:                       cb(h, watcher, signum, args)
#   message:                      cb(h, watcher, msg, args)
from collections.abc import Callable
from typing import Any

from typing_extensions import Self

from flux.core.handle import Flux
from flux.message import Message

# A handler's statistics time each of its first SAMPLE_ALL calls, then
# one call in SAMPLE_EVERY.
SAMPLE_ALL: int
SAMPLE_EVERY: int

def watcher_wrapper(reactor: Any, c_watcher: Any, revents: int,
                    arg: Any) -> None: ...
def message_handler_wrapper(c_h: Any, c_mh: Any, c_msg: Any,
                            arg: Any) -> None: ...

class Watcher:
    flux_handle: Flux
    callback: Callable[..., object] | None
    args: Any
    handle: Any
    def __init__(self, flux_handle: Flux,
                 callback: Callable[..., object] | None,
                 args: Any = None) -> None: ...
    def start(self) -> Self: ...
    def stop(self) -> Self: ...
    def is_active(self) -> bool: ...
    def ref(self) -> Self: ...
    def unref(self) -> Self: ...
    def destroy(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...

_TimerCallback = Callable[[Flux, "TimerWatcher", int, Any], object]
_FDCallback = Callable[[Flux, "FDWatcher", int, int, Any], object]
_SignalCallback = Callable[[Flux, "SignalWatcher", int, Any], object]
_PrepareCallback = Callable[[Flux, "PrepareWatcher", int, Any], object]
_CheckCallback = Callable[[Flux, "CheckWatcher", int, Any], object]
_IdleCallback = Callable[[Flux, "IdleWatcher", int, Any], object]
_MessageCallback = Callable[[Flux, "MessageWatcher", Message, Any], object]

class TimerWatcher(Watcher):
    def __init__(self, flux_handle: Flux, after: float,
                 callback: _TimerCallback, repeat: float = 0.0,
                 args: Any = None) -> None: ...
    def reset(self, after: float | None = None,
              repeat: float | None = None) -> Self: ...
    def again(self) -> Self: ...

class FDWatcher(Watcher):
    fd: int
    def __init__(self, flux_handle: Flux, fd: int, events: int,
                 callback: _FDCallback, args: Any = None) -> None: ...

class SignalWatcher(Watcher):
    signum: int
    def __init__(self, flux_handle: Flux, signum: int,
                 callback: _SignalCallback, args: Any = None) -> None: ...

class PrepareWatcher(Watcher):
    def __init__(self, flux_handle: Flux, callback: _PrepareCallback,
                 args: Any = None) -> None: ...

class CheckWatcher(Watcher):
    def __init__(self, flux_handle: Flux, callback: _CheckCallback,
                 args: Any = None) -> None: ...

class IdleWatcher(Watcher):
    def __init__(self, flux_handle: Flux, callback: _IdleCallback | None,
                 args: Any = None) -> None: ...

class MessageWatcher(Watcher):
    def __init__(self, flux_handle: Flux, type_mask: int,
                 callback: _MessageCallback | None, topic_glob: str = "*",
                 match_tag: int = ..., rolemask: int | None = None,
                 args: Any = None) -> None: ...
