# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.memoized_property (see doc/typing.rst).
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["memoized_property"]

_T = TypeVar("_T")

# A read-only property: mypy types obj.name as the getter's result.
def memoized_property(fget: Callable[[Any], _T]) -> property: ...
