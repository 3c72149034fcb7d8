# SPDX-License-Identifier: LGPL-3.0-or-later
"""Every public part of the flux package says what it is (issue 12, item
4): each module, and each class, function, method and property whose
name does not start with "_", has a docstring, which the API reference
in doc/api/ renders.  The docs build (doc/meson.build, warnings as
errors) checks that each one renders; this checks that none is missing,
also where Sphinx is absent.
"""

import importlib
import inspect
import pkgutil

import flux


def public_modules():
    names = ["flux"]
    for info in pkgutil.walk_packages(flux.__path__, "flux."):
        if not any(p.startswith("_") for p in info.name.split(".")):
            names.append(info.name)
    return names


def undocumented_in(module):
    """The public names of module (as "module.name" or
    "module.Class.member") that have no docstring of their own."""
    missing = []
    if not module.__doc__:
        missing.append(module.__name__)
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        qual = f"{module.__name__}.{name}"
        if not inspect.getdoc(obj):
            missing.append(qual)
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_"):
                continue
            if isinstance(member, property):
                doc = member.__doc__ or (member.fget and member.fget.__doc__)
            else:
                func = getattr(member, "__func__", member)
                if not inspect.isfunction(func):
                    continue
                doc = func.__doc__
            if not doc:
                missing.append(f"{qual}.{attr}")
    return missing


def test_the_package_has_its_modules():
    # N.B. So that the test below cannot pass by finding nothing.
    names = public_modules()
    for expected in ("flux.brokermod", "flux.kvs", "flux.message",
                     "flux.future", "flux.rpc", "flux.core.handle",
                     "flux.core.watchers"):
        assert expected in names


def test_every_public_name_has_a_docstring():
    missing = []
    for name in public_modules():
        missing += undocumented_in(importlib.import_module(name))
    assert missing == []


def test_a_missing_docstring_is_found():
    # The check itself, on a module made for it.
    import types

    mod = types.ModuleType("flux.fake", "A module.")

    def documented():
        """Documented."""

    def bare():
        pass

    class Thing:
        """A class."""

        def method(self):
            pass

        @property
        def prop(self):
            return 1

        def _private(self):
            pass

    for obj in (documented, bare, Thing):
        obj.__module__ = "flux.fake"
        setattr(mod, obj.__name__, obj)
    assert undocumented_in(mod) == ["flux.fake.bare", "flux.fake.Thing.method",
                                    "flux.fake.Thing.prop"]
