# SPDX-License-Identifier: LGPL-3.0-or-later
"""Neither mod_main nor a BrokerModule subclass: the load fails.
The imported BrokerModule itself does not count.
"""

from flux.brokermod import BrokerModule  # noqa: F401


def main(h, *args):
    pass
