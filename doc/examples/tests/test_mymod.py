# SPDX-License-Identifier: LGPL-3.0-or-later
"""Tests of the example module mymod.py with flux.pytest, the pytest
plugin for module authors (doc/testing-modules.rst).  From the top of
the tree, with the build's flux first on PATH:

    $ PATH=$PWD/build/cmd:$PATH pytest -p flux.pytest doc/examples/tests

The plugin starts one instance for the session; each test loads the
module (a relative path is taken from this file's folder), and the
module is removed when the test ends.
"""
import errno

import pytest


def test_info_names_the_module_and_its_args(load_module):
    mod = load_module("../mymod.py", "fast", "quiet")
    assert mod.rpc("info") == {"name": "mymod", "args": ["fast", "quiet"]}


@pytest.mark.flux_module("../mymod.py")
def test_status(flux_module):
    assert flux_module.rpc("status") == {"running": True}


@pytest.mark.flux_module("../mymod.py")
def test_a_method_it_does_not_have(flux_module):
    with pytest.raises(OSError) as info:
        flux_module.rpc("nosuch")
    assert info.value.errno == errno.ENOSYS


def test_a_test_may_remove_it_itself(load_module):
    mod = load_module("../mymod.py")
    assert mod.is_loaded()
    mod.remove()
    assert not mod.is_loaded()
