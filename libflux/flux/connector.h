/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The interface between a handle and its connector.  A connector turns
 * send/recv into bytes on a socket, or moves message objects through an
 * in-process queue.  The handle does reference counting, matchtags,
 * the receive queue for requeue, and message counters; a connector does
 * only transport.
 */
#ifndef FLUX_CONNECTOR_H
#define FLUX_CONNECTOR_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flux_handle_ops {
    int (*pollfd)(void *impl);
    int (*pollevents)(void *impl);
    int (*send)(void *impl, const flux_msg_t *msg, int flags);
    /* optional: steal *msg on success */
    int (*send_new)(void *impl, flux_msg_t **msg, int flags);
    flux_msg_t *(*recv)(void *impl, int flags);
    int (*setopt)(void *impl, const char *option, const void *val, size_t len);
    int (*getopt)(void *impl, const char *option, void *val, size_t len);
    void (*impl_destroy)(void *impl);
};

/* Build a handle over a connector's state, with one reference: the
 * handle then owns impl (ops->impl_destroy frees it when the last
 * reference goes).  Returns the handle, or NULL with errno EINVAL (NULL
 * ops, or no send or recv op) or ENOMEM; on failure the caller still
 * owns impl.
 */
flux_t *flux_handle_create (void *impl, const struct flux_handle_ops *ops,
                            int flags);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_CONNECTOR_H */
