/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Opaque types and small shared definitions used by every libflux header.
 * Each opaque type is typedef'd here once, so headers need not include
 * each other only to name a type.
 */
#ifndef FLUX_TYPES_H
#define FLUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flux_handle flux_t;
typedef struct flux_msg flux_msg_t;
typedef struct flux_reactor flux_reactor_t;
typedef struct flux_watcher flux_watcher_t;
typedef struct flux_future flux_future_t;
typedef struct flux_msg_handler flux_msg_handler_t;

typedef void (*flux_free_f)(void *arg);

/* Human readable error text returned beside errno by functions that take
 * a trailing 'flux_error_t *error' argument (which may be NULL).
 */
typedef struct {
    char text[160];
} flux_error_t;

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_TYPES_H */
