/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/types.h.  Opaque types stay opaque; layouts the C
 * compiler knows are left to it with "...".
 */
typedef struct flux_handle flux_t;
typedef struct flux_msg flux_msg_t;
typedef struct flux_reactor flux_reactor_t;
typedef struct flux_watcher flux_watcher_t;
typedef struct flux_future flux_future_t;
typedef struct flux_msg_handler flux_msg_handler_t;

typedef void (*flux_free_f)(void *arg);

typedef struct {
    char text[...];
    ...;
} flux_error_t;

/* From libc, for cdata the library hands over to the caller. */
void free (void *ptr);
