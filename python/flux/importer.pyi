# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.importer (see doc/typing.rst).
import os
from collections.abc import Iterable
from types import ModuleType

__all__ = ["import_plugins", "import_plugins_pkg", "import_path"]

_Path = str | bytes | os.PathLike[str] | os.PathLike[bytes]

def import_plugins_pkg(ns_pkg: ModuleType) -> dict[str, ModuleType]: ...
def import_plugins(pkg_name: str,
                   pluginpath: _Path | Iterable[_Path] | None = None,
                   ) -> dict[str, ModuleType]: ...
def import_path(file_path: str | os.PathLike[str]) -> ModuleType: ...
