# SPDX-License-Identifier: LGPL-3.0-or-later
"""Low-level cffi bindings to libflux (the compiled _flux._core).

In the build tree this package is split over two folders: this file sits
in the source tree, the compiled _core extension in the build tree.
extend_path joins every "_flux" folder on sys.path into one package, so
both are found; installed, they share one folder and this does nothing.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
