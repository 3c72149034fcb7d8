/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message internals shared between libflux files (not installed). */
#ifndef FLUX_MESSAGE_PRIVATE_H
#define FLUX_MESSAGE_PRIVATE_H

#include "flux/message.h"

/* Largest encoded message (the sum of its parts with their size fields)
 * that flux_msg_recvfd accepts: a guard against a corrupt or hostile
 * length allocating gigabytes.
 */
#define MESSAGE_MAX_ENCODED_SIZE (1024u * 1024u * 1024u)

/* Size of the socket frame header: magic then big-endian length. */
#define MESSAGE_IOBUF_HEADER_SIZE 8
#define MESSAGE_IOBUF_MAGIC 0xffee0012u

/* Destroy every aux item of 'msg' (their destructors run).  Used when a
 * message moves to another thread, where the items' owners do not live.
 * Preserves errno.
 */
void message_aux_clear (flux_msg_t *msg);

#endif /* !FLUX_MESSAGE_PRIVATE_H */
