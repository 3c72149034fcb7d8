# SPDX-License-Identifier: LGPL-3.0-or-later
"""Runs child processes from a module's thread.

  NAME.run {count} -> {codes}  runs `sh -c 'exit 7'` count times, answers
                               the exit codes subprocess reported
  NAME.die {code}              ends the whole broker process with
                               os._exit(code), as a crashing module would
  NAME.kill                    sends SIGKILL to the broker process
"""

import os
import signal
import subprocess

from flux.brokermod import BrokerModule, request_handler


class Subproc(BrokerModule):
    @request_handler("run")
    def spawn(self, msg):
        # Several runs: the broker reaping a child it did not start is a
        # race with subprocess's own waitpid(), so one run may not show it.
        codes = []
        for _ in range(int(msg.payload.get("count", 1))):
            try:
                codes.append(subprocess.run(["sh", "-c", "exit 7"]).returncode)
            except ChildProcessError as e:
                codes.append(str(e))
        self.handle.respond(msg, {"codes": codes})

    @request_handler("die")
    def die(self, msg):
        os._exit(int(msg.payload.get("code", 3)))

    @request_handler("kill")
    def kill(self, msg):
        os.kill(os.getpid(), signal.SIGKILL)
