/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "argsplit.h"

char **argsplit (const char *s, int *argcp)
{
    size_t len = s ? strlen (s) : 0;
    size_t maxargs = len / 2 + 2;
    char **argv;
    char *copy;
    char *tok;
    char *saveptr = NULL;
    int argc = 0;

    if (!(argv = calloc (1, maxargs * sizeof (char *) + len + 1)))
        return NULL;
    copy = (char *)(argv + maxargs);
    if (s)
        memcpy (copy, s, len + 1);
    for (tok = strtok_r (copy, " \t\n\r\f\v", &saveptr); tok;
         tok = strtok_r (NULL, " \t\n\r\f\v", &saveptr))
        argv[argc++] = tok;
    argv[argc] = NULL;
    *argcp = argc;
    return argv;
}
