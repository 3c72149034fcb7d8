# SPDX-License-Identifier: LGPL-3.0-or-later
"""What Python imports before the broker's first module runs.

Every module the embedded interpreter imports at start is time each
`flux start` waits for (the KVS is a Python module).  pyloader.so imports
threading, _flux._site and flux._pyloader; the standard modules import
flux.brokermod and what kvs.py needs.  None of that may bring in the
heavy standard modules the loader and the package once pulled in at
import (pkgutil, typing and importlib.resources were 12 ms; hashlib's
OpenSSL 4 ms; json with re and enum 9 ms): each is imported where it is
used, when it is used.
"""

import os
import subprocess
import sys

HEAVY = {"argparse", "ast", "dataclasses", "datetime", "email", "hashlib",
         "importlib.resources", "inspect", "locale", "logging", "pathlib",
         "pkgutil", "random", "selectors", "socket", "subprocess",
         "textwrap", "tokenize", "traceback", "typing", "uuid",
         # json compiles six regular expressions at import: with re and
         # enum, 9 ms; signal brings enum too; importlib.util contextlib.
         "json", "re", "enum", "signal", "contextlib", "base64",
         "importlib.util"}

# As pyloader.so starts Python: no site at start (-S), the site folders
# on sys.path as _flux._site.start() puts them, then the loader, the
# module API and the KVS module's own imports (run without a broker).
PROGRAM = """
import sys, threading
import _flux._site
_flux._site.start()
import flux._pyloader, flux.brokermod
sys.path.insert(0, sys.argv[1])
import kvs
store = kvs.Store(owner=0)
print(" ".join(sorted(set(sys.argv[2:]) & set(sys.modules))))
"""


def test_the_loader_and_the_kvs_import_nothing_heavy():
    src = os.environ.get("FLUX_SOURCE_DIR",
                         os.path.join(os.path.dirname(__file__), "..", ".."))
    # Without the user's site customization, which may import anything.
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    out = subprocess.run(
        [sys.executable, "-S", "-c", PROGRAM,
         os.path.join(src, "modules", "kvs"), *sorted(HEAVY)],
        check=True, capture_output=True, text=True, env=env).stdout
    assert out.split() == []


def test_site_start_defers_the_pth_files(tmp_path):
    """_flux._site.start() puts the site folders on sys.path but runs no
    .pth file; finish() runs each once, in order, paths and code alike.
    """
    site_dir = tmp_path / "site"
    extra = tmp_path / "extra"
    site_dir.mkdir()
    extra.mkdir()
    (extra / "from_pth.py").write_text("VALUE = 42\n")
    log = tmp_path / "pth.log"
    (site_dir / "a.pth").write_text(
        f"{extra}\nimport sys; open({str(log)!r}, 'a').write('a\\n')\n")
    (site_dir / "b.pth").write_text(
        f"import sys; open({str(log)!r}, 'a').write('b\\n')\n")
    program = f"""
import os, sys, site
site.getusersitepackages = lambda: {str(site_dir)!r}
site.ENABLE_USER_SITE = True
import _flux._site
_flux._site.start()
print({str(site_dir)!r} in sys.path, os.path.exists({str(log)!r}),
      {str(extra)!r} in sys.path)
_flux._site.finish()
_flux._site.finish()
import from_pth
print(from_pth.VALUE, open({str(log)!r}).read().split())
"""
    out = subprocess.run([sys.executable, "-S", "-c", program],
                         check=True, capture_output=True, text=True).stdout
    assert out.splitlines() == ["True False False", "42 ['a', 'b']"]
