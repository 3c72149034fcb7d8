# SPDX-License-Identifier: LGPL-3.0-or-later
"""Low-level cffi bindings to libflux (the compiled _flux._core), and
_site, the start of the site packages in the interpreter the broker
embeds.

In the build tree this package is split over two folders: this file sits
in the source tree, the compiled _core extension in the build tree.
Every "_flux" folder on sys.path joins the package's __path__, so both
are found; installed, they share one folder and this adds nothing.

N.B. This is what pkgutil.extend_path() does for a plain package, by
hand: importing pkgutil (and the typing and importlib modules it brings)
cost about 12 ms of every Python process's start, the broker's included.
"""

import os as _os
import sys as _sys


def _extend_path(path, name):
    path = list(path)
    for entry in _sys.path:
        if not isinstance(entry, str):
            continue
        folder = _os.path.join(entry, name)
        if folder not in path and _os.path.isdir(folder):
            path.append(folder)
    return path


__path__ = _extend_path(__path__, __name__)
del _extend_path
