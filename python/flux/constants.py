# SPDX-License-Identifier: LGPL-3.0-or-later
"""Every FLUX_* integer constant of libflux, as the C compiler saw it."""

from _flux._core import lib

__all__ = []

# FLUX_ and then capitals, digits and underscores: tested without re,
# which this module, imported by every flux program, would otherwise be
# the first to need.
_TAIL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

for _name in dir(lib):
    if (len(_name) > 5 and _name.startswith("FLUX_")
            and _TAIL.issuperset(_name[5:])):
        _value = getattr(lib, _name)
        if isinstance(_value, int):
            globals()[_name] = _value
            __all__.append(_name)

del _name, _value, _TAIL
