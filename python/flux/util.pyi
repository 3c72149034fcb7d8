# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.util (see doc/typing.rst): its __all__, and the
# helpers a module or tool is most likely to use.  The command line
# formatting classes (OutputFormat, UtilConfig, Tree, the argparse
# actions) are not typed here: the module-level __getattr__ below makes
# them Any rather than an error.
import os
from collections.abc import Callable, MutableMapping, Mapping
from datetime import datetime
from logging import Logger
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from flux.core.inner import encode_payload as encode_payload
from flux.core.inner import encode_topic as encode_topic

__all__ = [
    "check_future_error",
    "encode_payload",
    "encode_topic",
    "CLIMain",
    "parse_fsd",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_D = TypeVar("_D", bound=MutableMapping[str, Any])

def check_future_error(func: _F) -> _F: ...
def interruptible(func: _F) -> _F: ...
def get_treedict(in_dict: Mapping[str, Any], key: str,
                 default: Any = None) -> Any: ...
def set_treedict(in_dict: MutableMapping[str, Any], key: str,
                 val: Any) -> None: ...
def del_treedict(in_dict: MutableMapping[str, Any], key: str,
                 remove_empty: bool = False) -> None: ...
def dict_merge(src: _D, new: Mapping[str, Any]) -> _D: ...

class CLIMain:
    logger: Logger
    def __init__(self, logger: Logger | None = None) -> None: ...
    def __call__(self, main_func: Callable[[], object]) -> NoReturn: ...

def parse_fsd(fsd_string: str) -> float: ...
def fsd(secs: float) -> str: ...
def parse_datetime(string: str, now: datetime | None = None) -> datetime: ...
def xdg_searchpath(subdir: str = "") -> list[Path]: ...

class Fileref(dict[str, Any]):
    def __init__(self, data: dict[str, Any] | str | os.PathLike[str],
                 perms: int = 0o600, encoding: str | None = None) -> None: ...

def __getattr__(name: str) -> Any: ...
