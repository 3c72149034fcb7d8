# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module whose handlers fork.

  NAME.fork {mode} -> {pid}  forks; the parent answers the child's pid.
      The child, by mode:
        "return"  returns from the handler (into the module's reactor)
        "sleep"   sleeps 300 s, then returns
        "exec"    execs sh -c 'exit 5'
        "run"     calls the module's reactor_run()
  NAME.reap {pid} -> {status}  os.waitpid(pid, WNOHANG): "running", or
                               "exit N" or "signal N"
  NAME.subprocess -> {code}    subprocess.run(sh -c 'exit 7'), its code
  NAME.spawn -> {pid}          subprocess.Popen(sleep 300), not waited for
  NAME.info -> {}              answers at once
"""

import os
import subprocess
import time

from flux.brokermod import BrokerModule, request_handler


class Forker(BrokerModule):
    @request_handler("fork")
    def fork(self, msg):
        mode = msg.payload["mode"]
        pid = os.fork()
        if pid > 0:
            self.handle.respond(msg, {"pid": pid})
            return
        if mode == "sleep":
            time.sleep(300)
        elif mode == "exec":
            os.execvp("sh", ["sh", "-c", "exit 5"])
        elif mode == "run":
            self.handle.reactor_run()

    @request_handler("reap")
    def reap(self, msg):
        pid, status = os.waitpid(int(msg.payload["pid"]), os.WNOHANG)
        if pid == 0:
            text = "running"
        elif os.WIFSIGNALED(status):
            text = f"signal {os.WTERMSIG(status)}"
        else:
            text = f"exit {os.WEXITSTATUS(status)}"
        self.handle.respond(msg, {"status": text})

    @request_handler("subprocess")
    def run_subprocess(self, msg):
        code = subprocess.run(["sh", "-c", "exit 7"]).returncode
        self.handle.respond(msg, {"code": code})

    @request_handler("spawn")
    def spawn(self, msg):
        self.children = getattr(self, "children", [])
        child = subprocess.Popen(["sleep", "300"])
        self.children.append(child)  # reaped by NAME.reap
        self.handle.respond(msg, {"pid": child.pid})

    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {})


def mod_main(h, *args):
    Forker(h, *args).run()
