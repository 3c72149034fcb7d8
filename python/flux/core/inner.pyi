# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.core.inner (see doc/typing.rst).  ffi and lib are
# cffi's objects for the compiled _flux._core: their attributes are the
# C declarations of libflux, which these stubs do not spell out, so
# both are Any (as is a C pointer, a cffi "cdata", wherever one appears).
from collections.abc import Callable
from typing import Any, NoReturn, TypeAlias

from flux.wrapper import raw as raw

__all__ = ["ffi", "lib", "raw", "check", "raise_errno", "to_bytes",
           "to_str", "encode_payload", "encode_topic", "new_match",
           "encode_json", "decode_json", "json_encoder"]

# A cffi C pointer (cdata).
_CData: TypeAlias = Any

ffi: Any
lib: Any

def raise_errno(errnum: int | None = None,
                text: str | None = None) -> NoReturn: ...
def check(rc: Any, text: str | Callable[[], str | None] | None = None) -> Any: ...
def to_bytes(s: str | bytes | None) -> Any: ...
def to_str(p: _CData) -> str | None: ...
def encode_json(value: object) -> str: ...
def json_encoder(ensure_ascii: bool = True, sort_keys: bool = False,
                 separators: tuple[str, str] | None = None
                 ) -> Callable[[object], str]: ...
def decode_json(s: str | bytes | bytearray) -> Any: ...
def encode_payload(payload: object) -> Any: ...
def encode_topic(topic: str | bytes) -> bytes: ...
def new_match(type_mask: int, match_tag: int,
              topic_glob: str | bytes | None) -> tuple[_CData, _CData]: ...
