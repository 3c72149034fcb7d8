/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Responses.
 *
 * A response is derived from its request rather than built from scratch,
 * because it must retrace the request's path: it keeps the route stack
 * (each hop pops itself on the way back), the topic and the matchtag the
 * client waits on.  The credentials are reset to UNKNOWN/NONE so that
 * the sending connector stamps the responder's own, never the client's.
 *
 * The flux_respond*() family sends with flux_send_new(): the response
 * was built here and nobody else holds it, so it moves without a copy.
 * A request marked NORESPONSE is answered by doing nothing, successfully,
 * so handlers need not test for it.
 *
 * flux_respond_pack() owns its arguments whatever happens: jansson's "o"
 * steals the reference it is given, so a caller writes
 * flux_respond_pack (h, msg, "{s:o}", "k", obj) and never frees obj.
 * Every path that does not pack into a message (a NORESPONSE request,
 * bad arguments, a failed derive) still packs, into an object that is
 * thrown away, or each such call would leak what it was handed: a guest
 * sending NORESPONSE requests could grow the broker without bound.
 */

#if HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>

#include "flux/response.h"
#include "flux/handle.h"
#include "message_private.h"

int flux_response_decode (const flux_msg_t *msg, const char **topic,
                          const char **s)
{
    return message_decode_string (msg, FLUX_MSGTYPE_RESPONSE, topic, s);
}

int flux_response_decode_raw (const flux_msg_t *msg, const char **topic,
                              const void **data, size_t *len)
{
    return message_decode_raw (msg, FLUX_MSGTYPE_RESPONSE, topic, data, len);
}

int flux_response_decode_error (const flux_msg_t *msg, const char **errstr)
{
    int type;
    int errnum;
    const char *s;

    if (!msg || !errstr) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_type (msg, &type) < 0)
        return -1;
    if (type != FLUX_MSGTYPE_RESPONSE) {
        errno = EPROTO;
        return -1;
    }
    if (flux_msg_get_errnum (msg, &errnum) < 0)
        return -1;
    if (errnum == 0) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_string (msg, &s) < 0)
        return -1;
    if (!s) {
        errno = ENOENT;
        return -1;
    }
    *errstr = s;
    return 0;
}

flux_msg_t *flux_response_derive (const flux_msg_t *request, int errnum)
{
    flux_msg_t *msg;
    int type;

    if (!request || errnum < 0) {
        errno = EINVAL;
        return NULL;
    }
    if (flux_msg_get_type (request, &type) < 0)
        return NULL;
    if (type != FLUX_MSGTYPE_REQUEST) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg = flux_msg_copy (request, false)))
        return NULL;
    if (flux_msg_set_type (msg, FLUX_MSGTYPE_RESPONSE) < 0
        || flux_msg_set_cred (msg, (struct flux_msg_cred){
                                   .userid = FLUX_USERID_UNKNOWN,
                                   .rolemask = FLUX_ROLE_NONE }) < 0
        || flux_msg_set_errnum (msg, errnum) < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return msg;
}

flux_msg_t *flux_response_encode (const char *topic, const char *s)
{
    return message_fill_string (
        message_create_topic (FLUX_MSGTYPE_RESPONSE, topic, false), s);
}

flux_msg_t *flux_response_encode_raw (const char *topic, const void *data,
                                      size_t len)
{
    return message_fill_raw (
        message_create_topic (FLUX_MSGTYPE_RESPONSE, topic, false), data, len);
}

flux_msg_t *flux_response_encode_error (const char *topic, int errnum,
                                        const char *errstr)
{
    flux_msg_t *msg;

    if (errnum < 0) {
        errno = EINVAL;
        return NULL;
    }
    msg = message_create_topic (FLUX_MSGTYPE_RESPONSE, topic, false);
    if (msg && flux_msg_set_errnum (msg, errnum ? errnum : EINVAL) < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return message_fill_string (msg, errstr);
}

/* Derive the response to 'request' into *msgp (to be filled and sent).
 * Sets *msgp to NULL and returns 0 for a NORESPONSE request.
 */
static int respond_common (flux_t *h, const flux_msg_t *request, int errnum,
                           flux_msg_t **msgp)
{
    if (!h || !request) {
        errno = EINVAL;
        return -1;
    }
    *msgp = NULL;
    if (flux_msg_is_noresponse (request))
        return 0;
    if (!(*msgp = flux_response_derive (request, errnum)))
        return -1;
    return 0;
}

static int respond_send (flux_t *h, flux_msg_t *msg)
{
    if (flux_send_new (h, &msg, 0) < 0) {
        flux_msg_destroy (msg); // preserves errno
        return -1;
    }
    return 0;
}

int flux_respond (flux_t *h, const flux_msg_t *request, const char *s)
{
    flux_msg_t *msg;

    if (respond_common (h, request, 0, &msg) < 0)
        return -1;
    if (!msg)
        return 0;
    if (s && flux_msg_set_string (msg, s) < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    return respond_send (h, msg);
}

/* Consume the arguments of a pack that is not sent (see the top). */
static void pack_discard (const char *fmt, va_list ap)
{
    if (fmt && *fmt != '\0')
        json_decref (json_vpack_ex (NULL, 0, fmt, ap));
}

int flux_respond_pack (flux_t *h, const flux_msg_t *request,
                       const char *fmt, ...)
{
    flux_msg_t *msg;
    va_list ap;
    int rc;

    rc = respond_common (h, request, 0, &msg);
    if (rc < 0 || !msg) { // error, or NORESPONSE: nothing to send
        int saved_errno = errno;
        va_start (ap, fmt);
        pack_discard (fmt, ap);
        va_end (ap);
        errno = saved_errno;
        return rc;
    }
    va_start (ap, fmt);
    rc = flux_msg_vpack (msg, fmt, ap);
    va_end (ap);
    if (rc < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    return respond_send (h, msg);
}

int flux_respond_raw (flux_t *h, const flux_msg_t *request,
                      const void *data, size_t len)
{
    flux_msg_t *msg;

    if (!data && len > 0) {
        errno = EINVAL;
        return -1;
    }
    if (respond_common (h, request, 0, &msg) < 0)
        return -1;
    if (!msg)
        return 0;
    if (data && flux_msg_set_payload (msg, data, len) < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    return respond_send (h, msg);
}

int flux_respond_error (flux_t *h, const flux_msg_t *request,
                        int errnum, const char *errstr)
{
    flux_msg_t *msg;

    if (errnum < 0) {
        errno = EINVAL;
        return -1;
    }
    if (respond_common (h, request, errnum ? errnum : EINVAL, &msg) < 0)
        return -1;
    if (!msg)
        return 0;
    if (errstr && flux_msg_set_string (msg, errstr) < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    return respond_send (h, msg);
}

// vi:ts=4 sw=4 expandtab
