# SPDX-License-Identifier: LGPL-3.0-or-later
"""heartbeat: publish the instance's heartbeat.pulse event periodically.

As flux-core's heartbeat module: the event, published through the
broker (so it has a sequence number) every period (default 2 s), is the
clock that flux_sync_create() futures follow.  The period comes from the
module argument period=FSD, else from heartbeat.period in the instance
configuration.

Usage: flux module load heartbeat [period=FSD]
"""

from flux.brokermod import BrokerModule
from flux.constants import FLUX_RPC_NORESPONSE

DEFAULT_PERIOD = 2.0


def parse_period(args, conf):
    """The period in seconds from period=FSD in args, else conf's
    heartbeat.period, else the default.  ValueError with a text a user
    can act on for a bad value or an unknown argument.
    """
    period = None
    for arg in args:
        if arg.startswith("period="):
            period = arg[len("period="):]
        else:
            raise ValueError(f"{arg}: unknown option")
    where = "period"
    if period is None:
        period = conf.get("heartbeat", {}).get("period")
        where = "heartbeat.period"
    if period is None:
        return DEFAULT_PERIOD
    # N.B. flux.util (argparse, logging, datetime) is imported only for
    # a period given as text: at the default it was most of this
    # module's load, which every instance waits for as it starts.
    if isinstance(period, str):
        from flux.util import parse_fsd  # pylint: disable=import-outside-toplevel
    try:
        seconds = parse_fsd(period) if isinstance(period, str) \
            else float(period)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: error parsing FSD: {period!r}") from None
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{where} must be a positive FSD value")
    return seconds


class Heartbeat(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.period = parse_period(self.args, h.conf_get() or {})
        self.timer = h.timer_watcher_create(0.0, self.pulse,
                                            repeat=self.period)
        self.timer.start()

    def pulse(self, h, watcher, revents, args):
        # No response wanted: a lost heartbeat is followed by the next
        # one, and nothing here waits.
        h.rpc("event.publish", {"topic": "heartbeat.pulse", "flags": 0},
              flags=FLUX_RPC_NORESPONSE)
