/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Control messages (RFC 3 type CONTROL), as flux-core's. */
#ifndef FLUX_CONTROL_H
#define FLUX_CONTROL_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a new control message carrying 'type' and 'status' (caller
 * destroys), or NULL with errno ENOMEM.
 */
flux_msg_t *flux_control_encode (int type, int status);

/* Read them back; type and status may be NULL.  Returns 0, or -1 with
 * errno (EPROTO for a message that is not a control message, EINVAL
 * for a NULL one).
 */
int flux_control_decode (const flux_msg_t *msg, int *type, int *status);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_CONTROL_H */
