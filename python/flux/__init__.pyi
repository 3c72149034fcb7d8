# SPDX-License-Identifier: LGPL-3.0-or-later
# Type stub for the flux package (see doc/typing.rst).
from flux import constants as constants
from flux import core as core
from flux import kvs as kvs
from flux import rpc as rpc
from flux.core.handle import Flux as Flux

__all__ = ["core", "kvs", "rpc", "constants", "Flux"]
