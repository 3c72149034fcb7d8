# SPDX-License-Identifier: LGPL-3.0-or-later
"""Python bindings to Flux: flux.Flux is a handle on a broker.

    import flux
    h = flux.Flux()                      # connects through $FLUX_URI
    print(h.rpc("broker.ping", {}).get())
"""

from flux.core.handle import Flux

__all__ = ["Flux"]
