# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.aio (see doc/typing.rst).  FluxEventLoop is an
# asyncio.AbstractEventLoop: the methods it implements have the types
# typeshed gives them there.
import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from flux.core.handle import Flux

__all__ = ["FluxEventLoop", "get_loop", "run"]

_T = TypeVar("_T")

SHUTDOWN_GRACE: float

def get_loop(h: Flux) -> FluxEventLoop: ...
def run(h: Flux, coro: Coroutine[Any, Any, _T]) -> _T: ...
def loop_for_future(reactor: Any) -> FluxEventLoop: ...

# N.B. typeshed declares every method of AbstractEventLoop abstract;
# FluxEventLoop implements all but the socket, transport, subprocess and
# signal ones, which raise NotImplementedError (AbstractEventLoop's own
# behaviour), so for mypy it stays abstract: get a loop with get_loop(h)
# (or BrokerModule.loop), not from the constructor.
class FluxEventLoop(asyncio.AbstractEventLoop):  # type: ignore[misc]
    def __init__(self, h: Flux) -> None: ...
    def close_module(self, grace: float = ...) -> None: ...
    # The timeout of Python 3.12's, on every version.
    async def shutdown_default_executor(self, timeout: float | None = None) -> None: ...
