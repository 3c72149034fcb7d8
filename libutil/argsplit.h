/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A module's arguments string (flux_module_initialize's, from the
 * welcome) as an argv: what a module thread and a module process
 * (flux module-exec) give mod_main.
 */
#ifndef FLUX_UTIL_ARGSPLIT_H
#define FLUX_UTIL_ARGSPLIT_H

/* Split 's' on whitespace into one allocation: the NULL-terminated
 * pointer array, then a copy of the string.  Empty words are dropped.
 * N.B. flux-core's broker splits on spaces only; our specification
 * (doc/python-broker-modules.rst) splits on tabs and newlines too.
 * s may be NULL (no arguments).  Returns the argv to free(3), with
 * *argcp its length, or NULL if out of memory.
 */
char **argsplit (const char *s, int *argcp);

#endif /* !FLUX_UTIL_ARGSPLIT_H */
