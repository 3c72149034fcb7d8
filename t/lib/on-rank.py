# SPDX-License-Identifier: LGPL-3.0-or-later
"""on-rank RANK CMD [ARGS...]: run CMD as a client of rank RANK's broker.

Asks the broker FLUX_URI names for rank RANK's local-uri (attr.get sent
to that rank through the tree) and execs CMD with FLUX_URI set to it.
"""
import os
import sys

import flux


def main(argv):
    if len(argv) < 2:
        print("Usage: on-rank RANK CMD [ARGS...]", file=sys.stderr)
        return 2
    try:
        uri = flux.Flux().rpc("attr.get", {"name": "local-uri"},
                              nodeid=int(argv[0])).get()["value"]
    except OSError as e:
        print(f"on-rank: rank {argv[0]}: {e.strerror}", file=sys.stderr)
        return 1
    os.environ["FLUX_URI"] = uri
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
