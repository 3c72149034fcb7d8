/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The testing credential options that in-process connectors share
 * (interthread://, loop://): FLUX_OPT_TESTING_USERID and
 * FLUX_OPT_TESTING_ROLEMASK, each a uint32_t, replace the credentials
 * the connector stamps on messages sent without any.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flux/handle.h"
#include "handle_private.h"

static uint32_t *cred_field (struct flux_msg_cred *cred, const char *option)
{
    if (!strcmp (option, FLUX_OPT_TESTING_USERID))
        return &cred->userid;
    if (!strcmp (option, FLUX_OPT_TESTING_ROLEMASK))
        return &cred->rolemask;
    return NULL;
}

int connector_cred_setopt (struct flux_msg_cred *cred, const char *option,
                           const void *val, size_t len)
{
    uint32_t *field = cred_field (cred, option);

    if (!field)
        return 0;
    if (!val || len != sizeof (*field)) {
        errno = EINVAL;
        return -1;
    }
    memcpy (field, val, len);
    return 1;
}

int connector_cred_getopt (const struct flux_msg_cred *cred,
                           const char *option, void *val, size_t len)
{
    uint32_t *field = cred_field ((struct flux_msg_cred *)cred, option);

    if (!field)
        return 0;
    if (!val || len != sizeof (*field)) {
        errno = EINVAL;
        return -1;
    }
    memcpy (val, field, len);
    return 1;
}

int connector_cred_stamp (flux_msg_t *msg, const struct flux_msg_cred *cred)
{
    struct flux_msg_cred c;

    if (flux_msg_get_cred (msg, &c) < 0)
        return -1;
    if (c.userid == FLUX_USERID_UNKNOWN)
        c.userid = cred->userid;
    if (c.rolemask == FLUX_ROLE_NONE)
        c.rolemask = cred->rolemask;
    return flux_msg_set_cred (msg, c);
}
