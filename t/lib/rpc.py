# SPDX-License-Identifier: LGPL-3.0-or-later
"""rpc [--errors-on-stdout] [--rank N] TOPIC [JSON]: one request, for the
sharness tests.

Prints the response payload as JSON with sorted keys.  An error response
prints "ERRNO: TEXT" on stderr and exits 1; with --errors-on-stdout it
prints "ERRNO TEXT" on stdout and exits 0, for tests that compare the
error as output.  Without JSON the request has no payload.  --rank sends
it to that rank (a number, "any" or "upstream"), by default any.
"""
import json
import sys

import flux
import flux.constants


def main(argv):
    errors_on_stdout = False
    nodeid = flux.constants.FLUX_NODEID_ANY
    while argv and argv[0].startswith("--"):
        if argv[0] == "--errors-on-stdout":
            errors_on_stdout = True
            argv = argv[1:]
        elif argv[0] == "--rank" and len(argv) > 1:
            nodeid = {"any": flux.constants.FLUX_NODEID_ANY,
                      "upstream": flux.constants.FLUX_NODEID_UPSTREAM
                      }.get(argv[1]) or int(argv[1])
            argv = argv[2:]
        else:
            break
    if not 1 <= len(argv) <= 2:
        print("Usage: rpc [--errors-on-stdout] [--rank N] TOPIC [JSON]",
              file=sys.stderr)
        return 2
    payload = json.loads(argv[1]) if len(argv) > 1 else None
    try:
        resp = flux.Flux().rpc(argv[0], payload, nodeid=nodeid).get()
    except OSError as e:
        if errors_on_stdout:
            print(e.errno, e.strerror)
            return 0
        print(f"{e.errno}: {e.strerror}", file=sys.stderr)
        return 1
    print(json.dumps(resp, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
