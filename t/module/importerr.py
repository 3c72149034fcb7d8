# SPDX-License-Identifier: LGPL-3.0-or-later
"""Imports a package that does not exist: the load fails."""

import flux_no_such_package  # noqa: F401


def mod_main(h, *args):
    pass
