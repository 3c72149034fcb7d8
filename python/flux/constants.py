# SPDX-License-Identifier: LGPL-3.0-or-later
"""Every FLUX_* integer constant of libflux, as the C compiler saw it."""

import re

from _flux._core import lib

__all__ = []

for _name in dir(lib):
    if re.match(r"^FLUX_[A-Z0-9_]+$", _name):
        _value = getattr(lib, _name)
        if isinstance(_value, int):
            globals()[_name] = _value
            __all__.append(_name)

del _name, _value
