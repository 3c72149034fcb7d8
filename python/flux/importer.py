# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.importer: load plugins, from a package or from a file.

    from flux.importer import import_plugins, import_path
    plugins = import_plugins("myapp.plugins", ["/etc/myapp/plugins"])
    plugins["foo"].setup()              # myapp/plugins/foo.py
    mod = import_path("/tmp/extra.py")  # one file, outside any package

A plugin package is usually a namespace package (a folder without
__init__.py): every folder of that name on sys.path contributes its
modules, and import_plugins() can put more folders in front of
sys.path for the time of the import, so that their modules win over
installed ones of the same name.

Differences from flux-core: the folders of pluginpath are taken off
sys.path again on every return (flux-core leaves them there when the
package is missing or a plugin fails to import); a package that exists
but fails to import raises instead of counting as missing; a file name
loses exactly its ".py" suffix to become the module name (flux-core
strips any of the letters ".", "p", "y" from its end: "happy.py" is
module "ha"); and a file Python cannot load as a module (no .py
suffix) raises ImportError rather than AttributeError; plugins written
since the last import are always found (the import system's caches of
folders are refreshed first).
"""

import importlib
import importlib.util
import os
import pkgutil
import sys

__all__ = ["import_plugins", "import_plugins_pkg", "import_path"]


def import_plugins_pkg(ns_pkg):
    """Import every module of the package object ns_pkg.

    Returns a dict: the module's name (without the package's) -> the
    module.  A module that fails to import raises ImportError "failed
    to import NAME plugin: REASON".
    """
    plugins = {}
    for info in pkgutil.iter_modules(ns_pkg.__path__):
        try:
            plugins[info.name] = importlib.import_module(
                f"{ns_pkg.__name__}.{info.name}")
        except ImportError as exc:
            raise ImportError(
                f"failed to import {info.name} plugin: {exc}") from exc
    return plugins


def _is_missing(exc, pkg_name):
    """Whether ModuleNotFoundError exc says pkg_name (or a package it
    is in) does not exist, rather than something it imports."""
    if exc.name is None:
        return True
    return pkg_name == exc.name or pkg_name.startswith(exc.name + ".")


def import_plugins(pkg_name, pluginpath=None):
    """Import the modules of package pkg_name (see import_plugins_pkg).

    pluginpath: folders (a list, or one path) searched before sys.path
    while importing, so that a plugin found there replaces an installed
    one of the same name.  Returns {} if there is no such package.
    """
    if pluginpath is None:
        added = []
    elif isinstance(pluginpath, (str, bytes, os.PathLike)):
        added = [os.fspath(pluginpath)]
    else:
        added = [os.fspath(p) for p in pluginpath]
    # Just after sys.path[0] (the script's folder), as flux-core does.
    sys.path[1:1] = added
    # Plugins may have been written since the last import from a folder.
    importlib.invalidate_caches()
    try:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError as exc:
            if _is_missing(exc, pkg_name):
                return {}
            raise
        return import_plugins_pkg(pkg)
    finally:
        for path in added:
            # The copy we put in, not an entry that was there before.
            for i in range(1, len(sys.path)):
                if sys.path[i] == path:
                    del sys.path[i]
                    break


def import_path(file_path):
    """Run the Python file file_path as a new module and return it.

    The module is named after the file ("/tmp/extra.py": extra) and is
    not added to sys.modules.  A missing file raises FileNotFoundError,
    a file without a .py suffix ImportError.
    """
    file_path = os.fspath(file_path)
    name = os.path.basename(file_path)
    if name.endswith(".py"):
        name = name[:-3]
    spec = importlib.util.spec_from_file_location(name, file_path)
    if spec is None:
        raise ImportError(f"{file_path}: not a Python source file",
                          path=file_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
