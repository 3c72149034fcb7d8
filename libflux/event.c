/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Events: encode/decode helpers, subscriptions, and publishing.
 *
 * An event message carries the ROUTE flag with an empty route stack, as
 * flux-core's do (flags 0x0b in the event-pub vector), so the broker can
 * push the sender's hop on it like on a request.
 *
 * Publishing goes through the event.publish service, which answers with
 * the sequence number the broker gave the event.  Its payload travels as
 * base64 text inside the JSON request (raw bytes may be anything); a
 * string or JSON payload is sent with its trailing NUL, so subscribers
 * can read it back with flux_event_decode.  flux_send of an event message
 * is the other way to publish, with no reply and no sequence number.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/event.h"
#include "flux/handle.h"
#include "flux/future.h"
#include "flux/message.h"
#include "flux/rpc.h"
#include "message_private.h"
#include "base64.h"

/* Events need a topic to be matched against subscriptions. */
static flux_msg_t *event_create (const char *topic)
{
    if (topic && *topic == '\0') {
        errno = EINVAL;
        return NULL;
    }
    return message_create_topic (FLUX_MSGTYPE_EVENT, topic, true);
}

flux_msg_t *flux_event_encode (const char *topic, const char *s)
{
    return message_fill_string (event_create (topic), s);
}

flux_msg_t *flux_event_encode_raw (const char *topic, const void *data,
                                   size_t len)
{
    return message_fill_raw (event_create (topic), data, len);
}

flux_msg_t *flux_event_pack (const char *topic, const char *fmt, ...)
{
    flux_msg_t *msg;
    va_list ap;
    int rc;

    if (!fmt) {
        errno = EINVAL;
        return NULL;
    }
    /* N.B. a bad topic still packs: "o" arguments are given away, and
     * flux_msg_vpack releases them on every path.
     */
    if (!(msg = event_create (topic))) {
        int saved_errno = errno;
        va_start (ap, fmt);
        (void)flux_msg_vpack (NULL, fmt, ap);
        va_end (ap);
        errno = saved_errno;
        return NULL;
    }
    va_start (ap, fmt);
    rc = flux_msg_vpack (msg, fmt, ap);
    va_end (ap);
    if (rc < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return msg;
}

int flux_event_decode (const flux_msg_t *msg, const char **topic,
                       const char **s)
{
    const char *t;
    const char *str = NULL;

    if (message_check_decode (msg, FLUX_MSGTYPE_EVENT, &t) < 0)
        return -1;
    if (s && flux_msg_get_string (msg, &str) < 0)
        return -1;
    if (topic)
        *topic = t;
    if (s)
        *s = str;
    return 0;
}

int flux_event_decode_raw (const flux_msg_t *msg, const char **topic,
                           const void **data, size_t *len)
{
    const char *t;
    const void *d = NULL;
    size_t l = 0;

    if ((!data) != (!len)) {
        errno = EINVAL;
        return -1;
    }
    if (message_check_decode (msg, FLUX_MSGTYPE_EVENT, &t) < 0)
        return -1;
    if (data && flux_msg_has_payload (msg)
        && flux_msg_get_payload (msg, &d, &l) < 0)
        return -1;
    if (topic)
        *topic = t;
    if (data) {
        *data = d;
        *len = l;
    }
    return 0;
}

int flux_event_unpack (const flux_msg_t *msg, const char **topic,
                       const char *fmt, ...)
{
    const char *t;
    va_list ap;
    int rc;

    if (!fmt) {
        errno = EINVAL;
        return -1;
    }
    if (message_check_decode (msg, FLUX_MSGTYPE_EVENT, &t) < 0)
        return -1;
    va_start (ap, fmt);
    rc = flux_msg_vunpack (msg, fmt, ap);
    va_end (ap);
    if (rc < 0)
        return -1;
    if (topic)
        *topic = t;
    return 0;
}

static int event_rpc (flux_t *h, const char *topic_rpc, const char *topic)
{
    flux_future_t *f;
    int rc;

    if (!h || !topic) {
        errno = EINVAL;
        return -1;
    }
    if ((flux_flags_get (h) & FLUX_O_TEST_NOSUB))
        return 0;
    if (!(f = flux_rpc_pack (h, topic_rpc, FLUX_NODEID_ANY, 0,
                             "{s:s}", "topic", topic)))
        return -1;
    rc = flux_future_get (f, NULL);
    flux_future_destroy (f);
    return rc;
}

static flux_future_t *event_rpc_ex (flux_t *h, const char *topic_rpc,
                                    const char *topic, int flags)
{
    if (!h || !topic) {
        errno = EINVAL;
        return NULL;
    }
    return flux_rpc_pack (h, topic_rpc, FLUX_NODEID_ANY, flags,
                          "{s:s}", "topic", topic);
}

flux_future_t *flux_event_subscribe_ex (flux_t *h, const char *topic,
                                        int flags)
{
    return event_rpc_ex (h, "event.subscribe", topic, flags);
}

flux_future_t *flux_event_unsubscribe_ex (flux_t *h, const char *topic,
                                          int flags)
{
    return event_rpc_ex (h, "event.unsubscribe", topic, flags);
}

int flux_event_subscribe (flux_t *h, const char *topic)
{
    return event_rpc (h, "event.subscribe", topic);
}

int flux_event_unsubscribe (flux_t *h, const char *topic)
{
    return event_rpc (h, "event.unsubscribe", topic);
}

flux_future_t *flux_event_publish_raw (flux_t *h, const char *topic,
                                       int flags, const void *data,
                                       size_t len)
{
    flux_future_t *f;
    char *b64 = NULL;

    if (!h || !topic || *topic == '\0' || (flags & ~FLUX_EVENT_PRIVATE)
        || (!data && len > 0)) {
        errno = EINVAL;
        return NULL;
    }
    if (!data)
        return flux_rpc_pack (h, "event.publish", FLUX_NODEID_ANY, 0,
                              "{s:s s:i}", "topic", topic, "flags", flags);
    if (!(b64 = base64_encode (data, len)))
        return NULL;
    f = flux_rpc_pack (h, "event.publish", FLUX_NODEID_ANY, 0,
                       "{s:s s:i s:s}",
                       "topic", topic,
                       "flags", flags,
                       "payload", b64);
    {
        int saved_errno = errno;
        free (b64);
        errno = saved_errno;
    }
    return f;
}

flux_future_t *flux_event_publish (flux_t *h, const char *topic, int flags,
                                   const char *s)
{
    return flux_event_publish_raw (h, topic, flags, s,
                                   s ? strlen (s) + 1 : 0);
}

flux_future_t *flux_event_publish_pack (flux_t *h, const char *topic,
                                        int flags, const char *fmt, ...)
{
    flux_future_t *f;
    json_t *o;
    char *s;
    va_list ap;

    if (!fmt) {
        errno = EINVAL;
        return NULL;
    }
    va_start (ap, fmt);
    o = json_vpack_ex (NULL, 0, fmt, ap);
    va_end (ap);
    if (!o || !json_is_object (o)) {
        json_decref (o);
        errno = EINVAL;
        return NULL;
    }
    s = json_dumps (o, JSON_COMPACT);
    json_decref (o);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    f = flux_event_publish (h, topic, flags, s);
    {
        int saved_errno = errno;
        free (s);
        errno = saved_errno;
    }
    return f;
}

int flux_event_publish_get_seq (flux_future_t *f, int *seq)
{
    int n;

    if (!f) {
        errno = EINVAL;
        return -1;
    }
    if (flux_rpc_get_unpack (f, "{s:i}", "seq", &n) < 0)
        return -1;
    if (seq)
        *seq = n;
    return 0;
}
