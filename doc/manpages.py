# SPDX-License-Identifier: LGPL-3.0-or-later
"""The manual pages: one list that Sphinx's man builder, the :manN: roles
and doc/meson.build (which installs them) all read.

Each entry is (source document, page name, one-line description,
authors, section), as Sphinx's man_pages setting wants.  Several names
may share one source document (flux-getattr, flux-setattr, flux-lsattr).
"""

author = "the flux-pybroker developers"

man_pages = [
    ("man1/flux", "flux", "the Flux command", [author], 1),
    ("man1/flux-start", "flux-start", "start a Flux instance", [author], 1),
    ("man1/flux-broker", "flux-broker", "the Flux message broker", [author], 1),
    ("man1/flux-module", "flux-module", "load, list and remove broker modules", [author], 1),
    ("man1/flux-ping", "flux-ping", "measure the round trip to a Flux service", [author], 1),
    ("man1/flux-dmesg", "flux-dmesg", "print or clear the broker's log buffer", [author], 1),
    ("man1/flux-logger", "flux-logger", "write an entry to the broker's log", [author], 1),
    ("man1/flux-event", "flux-event", "publish and receive Flux events", [author], 1),
    ("man1/flux-kvs", "flux-kvs", "use the Flux key-value store", [author], 1),
    ("man1/flux-config", "flux-config", "read and reload the instance's configuration", [author], 1),
    ("man1/flux-exec", "flux-exec", "run a command on ranks of the instance", [author], 1),
    ("man1/flux-modprobe", "flux-modprobe", "load or remove the standard modules on their ranks", [author], 1),
    ("man1/flux-keygen", "flux-keygen", "generate a CURVE certificate for the tree of brokers", [author], 1),
    ("man1/flux-overlay", "flux-overlay", "show the tree of brokers and its health", [author], 1),
    ("man1/flux-python", "flux-python", "run Python with the flux package", [author], 1),
    ("man1/flux-getattr", "flux-getattr", "read, set and list broker attributes", [author], 1),
    ("man1/flux-getattr", "flux-setattr", "read, set and list broker attributes", [author], 1),
    ("man1/flux-getattr", "flux-lsattr", "read, set and list broker attributes", [author], 1),
    ("python-broker-modules", "flux-python-broker-modules",
     "writing broker modules in Python", [author], 7),
]
