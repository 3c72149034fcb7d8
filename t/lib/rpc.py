# SPDX-License-Identifier: LGPL-3.0-or-later
"""rpc [--errors-on-stdout] TOPIC [JSON]: one request, for the sharness tests.

Prints the response payload as JSON with sorted keys.  An error response
prints "ERRNO: TEXT" on stderr and exits 1; with --errors-on-stdout it
prints "ERRNO TEXT" on stdout and exits 0, for tests that compare the
error as output.  Without JSON the request has no payload.
"""
import json
import sys

import flux


def main(argv):
    errors_on_stdout = False
    if argv and argv[0] == "--errors-on-stdout":
        errors_on_stdout = True
        argv = argv[1:]
    if not 1 <= len(argv) <= 2:
        print("Usage: rpc [--errors-on-stdout] TOPIC [JSON]", file=sys.stderr)
        return 2
    payload = json.loads(argv[1]) if len(argv) > 1 else None
    try:
        resp = flux.Flux().rpc(argv[0], payload).get()
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
