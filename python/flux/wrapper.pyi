# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.wrapper (see doc/typing.rst).
#
# A Wrapper answers any attribute it does not define with a libflux
# function (h.flux_get_rank(p), msg.route_push(id)): those are looked up
# at run time in the compiled library, so Wrapper.__getattr__ types each
# of them Any.  The methods and properties the Python classes define are
# typed in their own stubs.
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, ClassVar

from typing_extensions import Self

__all__ = ["Wrapper", "WrapperBase", "WrapperPimpl", "MissingFunctionError",
           "WrongNumArguments", "InvalidArguments", "raw"]

def errno_text(errnum: int) -> str: ...

class MissingFunctionError(AttributeError):
    name: str
    c_name: str
    name_list: list[str]
    arguments: Sequence[Any] | None
    def __init__(self, name: str, c_name: str, name_list: Iterable[str],
                 arguments: Sequence[Any] | None = None,
                 owner: str | None = None) -> None: ...

class WrongNumArguments(ValueError):
    name: str
    signature: str
    expected: int
    received: int
    arguments: tuple[Any, ...]
    handle_type: str | None
    def __init__(self, name: str, signature: str, ftype: Any,
                 arguments: Sequence[Any], htype: str | None) -> None: ...

class InvalidArguments(ValueError):
    name: str
    signature: str
    arguments: tuple[Any, ...]
    def __init__(self, name: str, signature: str, arguments: Iterable[Any],
                 reason: str | None = None) -> None: ...

class WrapperBase:
    # The C object (a cffi pointer), or None.
    handle: Any

class WrapperPimpl(WrapperBase):
    pimpl: Any
    def __init__(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, type_arg: type[BaseException] | None,
                 value: BaseException | None,
                 last: TracebackType | None) -> None: ...

class Wrapper(WrapperBase):
    _wrapper_prefixes: ClassVar[tuple[str, ...]]
    _wrapper_handle_type: ClassVar[str | None]
    def __enter__(self) -> Self: ...
    def __exit__(self, type_arg: type[BaseException] | None,
                 value: BaseException | None,
                 last: TracebackType | None) -> None: ...
    # A libflux function (or constant) named PREFIX + name or name.
    def __getattr__(self, name: str) -> Any: ...

class _Raw:
    def __getattr__(self, name: str) -> Any: ...

raw: _Raw
