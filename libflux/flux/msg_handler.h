/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message dispatch.  A handle's dispatcher (started on the first
 * flux_msg_handler_start) reads messages from the handle in its reactor
 * and hands each to one handler:
 *   - a response goes to the handler whose match names its matchtag
 *     (RPCs), else to a topic match;
 *   - a request or event goes to the newest started handler whose exact
 *     topic matches, else to the newest matching glob handler.
 * A request whose rolemask does not overlap the handler's gets EPERM,
 * "Request requires owner credentials" when the handler is owner-only,
 * else "Request rejected due to insufficient privilege".  An unmatched
 * request gets ENOSYS "Unknown service method 'TOPIC'".  Events and
 * NORESPONSE requests that fail are dropped silently.
 */
#ifndef FLUX_MSG_HANDLER_H
#define FLUX_MSG_HANDLER_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*flux_msg_handler_f)(flux_t *h,
                                   flux_msg_handler_t *mh,
                                   const flux_msg_t *msg,
                                   void *arg);

/* Created stopped, with rolemask OWNER.  match.topic_glob is copied.
 * Returns the handler (caller must destroy, before the handle), or NULL
 * with errno EINVAL (NULL h or cb) or ENOMEM.  destroy (NULL-safe)
 * stops it first.  start makes it receive messages, stop ends that;
 * both are NULL-safe no-ops on a handler already in that state (start
 * leaves it stopped if out of memory).
 */
flux_msg_handler_t *flux_msg_handler_create (flux_t *h,
                                             const struct flux_match match,
                                             flux_msg_handler_f cb,
                                             void *arg);
void flux_msg_handler_destroy (flux_msg_handler_t *mh);
void flux_msg_handler_start (flux_msg_handler_t *mh);
void flux_msg_handler_stop (flux_msg_handler_t *mh);

/* allow ORs bits into the handler's rolemask; deny removes them but
 * always keeps OWNER.
 */
void flux_msg_handler_allow_rolemask (flux_msg_handler_t *mh,
                                      uint32_t rolemask);
void flux_msg_handler_deny_rolemask (flux_msg_handler_t *mh,
                                     uint32_t rolemask);

struct flux_msg_handler_spec {
    int typemask;
    const char *topic_glob;
    flux_msg_handler_f cb;
    uint32_t rolemask; /* 0 means the default, OWNER */
};
#define FLUX_MSGHANDLER_TABLE_END { 0, NULL, NULL, 0 }

/* Create and start a handler for each table entry, all with 'arg', and
 * allow each the entry's rolemask.  *msg_handlers receives a
 * NULL-terminated array to pass to delvec.  If service_name is non-NULL,
 * each entry's topic_glob is taken as a method of that service: the
 * handler matches "SERVICE.TOPIC_GLOB" (so a table can be written once
 * and registered under the module's name).  On failure nothing is left
 * registered.  Returns 0, or -1 with errno (EINVAL for a NULL h, tab or
 * msg_handlers; ENOMEM).
 */
int flux_msg_handler_addvec_ex (flux_t *h,
                                const char *service_name,
                                const struct flux_msg_handler_spec tab[],
                                void *arg,
                                flux_msg_handler_t **msg_handlers[]);
/* flux_msg_handler_addvec_ex with no service name; returns as it does. */
int flux_msg_handler_addvec (flux_t *h,
                             const struct flux_msg_handler_spec tab[],
                             void *arg,
                             flux_msg_handler_t **msg_handlers[]);
/* Stop and destroy every handler of the array, then free it.  NULL-safe,
 * keeps errno.
 */
void flux_msg_handler_delvec (flux_msg_handler_t *msg_handlers[]);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_MSG_HANDLER_H */
