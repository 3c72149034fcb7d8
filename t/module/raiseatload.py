# SPDX-License-Identifier: LGPL-3.0-or-later
"""Raises while the file is executed: the load fails.  With OSError
(FileNotFoundError) the load fails with that errno.
"""

import errno

raise FileNotFoundError(errno.ENOENT, "no config for raiseatload")
