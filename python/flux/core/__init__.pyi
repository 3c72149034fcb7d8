# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for flux.core (see doc/typing.rst).
