/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Control messages (flux/control.h). */
#include <errno.h>

#include "flux/control.h"
#include "flux/message.h"

flux_msg_t *flux_control_encode (int type, int status)
{
    flux_msg_t *msg;

    if (!(msg = flux_msg_create (FLUX_MSGTYPE_CONTROL)))
        return NULL;
    if (flux_msg_set_control (msg, type, status) < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return msg;
}

int flux_control_decode (const flux_msg_t *msg, int *typep, int *statusp)
{
    int type;
    int status;

    if (flux_msg_get_control (msg, &type, &status) < 0)
        return -1;
    if (typep)
        *typep = type;
    if (statusp)
        *statusp = status;
    return 0;
}

// vi:ts=4 sw=4 expandtab
