# SPDX-License-Identifier: LGPL-3.0-or-later
"""A syntax error on line 4: the load fails."""

def mod_main(h, *args)
    pass
