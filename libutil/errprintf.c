/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>

#include "errprintf.h"

int verrprintf (flux_error_t *error, const char *fmt, va_list ap)
{
    if (error) {
        int saved_errno = errno;
        (void)vsnprintf (error->text, sizeof (error->text), fmt, ap);
        errno = saved_errno;
    }
    return -1;
}

int errprintf (flux_error_t *error, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    (void)verrprintf (error, fmt, ap);
    va_end (ap);
    return -1;
}
