# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.memoized_property: a read-only property computed once per object.

For example::

    class Job:
        @memoized_property
        def info(self):
            return expensive_lookup(self.id)

job.info calls the getter the first time only; later reads return the
same object.  The value is kept on the instance as "_" + the getter's
name (job._info), so deleting that attribute makes the next read call
the getter again, and a class whose instances already have such an
attribute (or whose __slots__ lack it) cannot use the decorator for
that name.  Assigning to the property raises AttributeError.
"""

import functools

__all__ = ["memoized_property"]


def memoized_property(fget):
    """A property whose getter fget runs once per instance (see above);
    it keeps fget's name and docstring."""
    slot = "_" + fget.__name__
    missing = object()

    @functools.wraps(fget)
    def getter(self):
        value = getattr(self, slot, missing)
        if value is missing:
            value = fget(self)
            setattr(self, slot, value)
        return value

    return property(getter)
