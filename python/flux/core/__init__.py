# SPDX-License-Identifier: LGPL-3.0-or-later
"""The handle, watchers and the C boundary of the flux package."""
