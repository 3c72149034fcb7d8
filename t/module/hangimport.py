# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module that never finishes importing: its top level sleeps forever,
so it never reaches mod_main (only the loader's interrupt ends it).
"""

import time

while True:
    time.sleep(0.1)


def mod_main(h, *args):
    pass
