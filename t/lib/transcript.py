# SPDX-License-Identifier: LGPL-3.0-or-later
"""Run the session an example's leading comment shows, and compare.

Usage: transcript.py FILE

FILE is a Python file (its docstring) or a C file (its first /* */
comment after the license line).  In it, each indented line
"$ COMMAND" is run, in order, by one sh started in the current
directory, and the indented lines after it, up to the next command or
the end of the block, are what it must print (stdout and stderr
together, as on a terminal).  In an expected line, "..." stands for any
text; a line that is only "..." stands for any lines, none included.  A
command may exit non-zero only if it is shown printing something (its
error).  Exits 1, with a diff, at the first command that does not print
what is shown.
"""

import ast
import difflib
import os
import re
import select
import subprocess
import sys
import time

TIMEOUT = 30 * int(os.environ.get("FLUX_TEST_TIMEOUT_FACTOR", "1"))


def leading_text(path):
    with open(path, encoding="utf-8") as f:
        src = f.read()
    if path.endswith(".py"):
        return ast.get_docstring(ast.parse(src), clean=False) or ""
    for m in re.finditer(r"/\*(.*?)\*/", src, re.S):
        if "SPDX-License-Identifier" not in m.group(1):
            return "\n".join(re.sub(r"^\s*\* ?", "", line)
                             for line in m.group(1).splitlines())
    return ""


def sessions(text):
    """[(command, [expected lines])] in order.  A blank or unindented
    line ends a command's output.
    """
    steps = []
    in_output = False
    for line in text.splitlines():
        body = line.strip()
        indent = len(line) - len(line.lstrip())
        if indent >= 2 and body.startswith("$ "):
            steps.append((body[2:], []))
            margin = indent
            in_output = True
        elif in_output and body and indent >= margin:
            steps[-1][1].append(line[margin:].rstrip())
        else:
            in_output = False
    return steps


def pattern(expected):
    parts = []
    for line in expected:
        if line == "...":
            parts.append(r"(?:.*\n)*?")
        else:
            parts.append(".*".join(map(re.escape, line.split("..."))) + r"\n")
    return re.compile("".join(parts))


class Shell:
    """One sh for the whole session, as at a terminal: what a command
    sets (export, cd) holds for the commands after it.
    """

    MARK = "@@transcript-exit@@"

    def __init__(self):
        self.proc = subprocess.Popen(["sh"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def run(self, command):
        """(output, exit code) of command."""
        self.proc.stdin.write(f"{{ {command}\n}} </dev/null 2>&1\n"
                              f"printf '\\n%s%d\\n' {self.MARK} $?\n"
                              .encode())
        self.proc.stdin.flush()
        # N.B. os.read on the pipe, not readline: a buffered reader may
        # hold the mark already while select() waits for more.
        fd = self.proc.stdout.fileno()
        data = b""
        mark = re.compile(rb"\n" + self.MARK.encode() + rb"(\d+)\n$")
        deadline = time.monotonic() + TIMEOUT
        while not (m := mark.search(data)):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"{command!r} still runs after {TIMEOUT}s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError(f"the shell exited after {command!r}")
            data += chunk
        out = data[:m.start()].decode(errors="replace")
        if out and not out.endswith("\n"):
            out += "\n"
        return out, int(m.group(1))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)


def main():
    path = sys.argv[1]
    steps = sessions(leading_text(path))
    if not steps:
        print(f"{path}: no '$ COMMAND' lines in its leading comment")
        return 1
    shell = Shell()
    try:
        for command, expected in steps:
            print(f"$ {command}")
            out, code = shell.run(command)
            sys.stdout.write(out)
            if not pattern(expected).fullmatch(out):
                print(f"{path}: the output differs from the one shown:")
                sys.stdout.writelines(difflib.unified_diff(
                    [line + "\n" for line in expected], out.splitlines(True),
                    "shown", "printed"))
                return 1
            if code != 0 and not expected:
                print(f"{path}: exit code {code}, and nothing shown")
                return 1
    finally:
        shell.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
