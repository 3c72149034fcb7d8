# SPDX-License-Identifier: LGPL-3.0-or-later
"""Python bindings to Flux: flux.Flux is a handle on a broker.

    import flux
    h = flux.Flux()                      # connects through $FLUX_URI
    print(h.rpc("broker.ping", {}).get())

As with flux-core's package, a bare `import flux` also makes flux.core,
flux.constants, flux.future, flux.message and flux.rpc available.
"""

import flux.constants  # noqa: F401  (reachable as flux.constants)
from flux.core.handle import Flux

__all__ = ["core", "kvs", "rpc", "constants", "Flux"]
