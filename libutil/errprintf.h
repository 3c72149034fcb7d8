/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Fill a flux_error_t, as flux-core's libutil errprintf does. */
#ifndef FLUX_UTIL_ERRPRINTF_H
#define FLUX_UTIL_ERRPRINTF_H

#include <stdarg.h>
#include <flux/types.h>

/* Format into error->text (if error is not NULL), leaving errno as it
 * was.  Returns -1, so that a caller may 'return errprintf (...)'.
 */
int errprintf (flux_error_t *error, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
int verrprintf (flux_error_t *error, const char *fmt, va_list ap);

#endif /* !FLUX_UTIL_ERRPRINTF_H */
