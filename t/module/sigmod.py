# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module that tries to take a signal from the broker: signal.signal()
in mod_main (not Python's main thread) raises ValueError, so the load
fails.
"""

import signal


def mod_main(h, *args):
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    h.reactor_run()
