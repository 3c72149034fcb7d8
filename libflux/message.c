/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RFC 3 messages.
 *
 * A message is held decoded, as C fields, not as the list of frames it
 * becomes on a socket: the PROTO integers live in a small struct, the
 * topic is a C string, the payload a heap buffer and the route stack an
 * array of strings.  Only flux_msg_encode/decode know the byte layout, so
 * messages that cross threads inside the broker never pay for encoding.
 *
 * The flags byte is the one piece of PROTO that also describes content:
 * the TOPIC, PAYLOAD and ROUTE bits.  Here those three bits always follow
 * the content (set_topic sets TOPIC, route_enable sets ROUTE, ...), and
 * flux_msg_set_flags() changes only the other bits.  So a message can
 * never claim a part it does not have, and encode needs no validation.
 *
 * Route stack: routes[0] is route_first, the original sender (for a
 * response, the final recipient); routes[len-1] is route_last, the most
 * recent hop.  On the wire the most recent hop comes first, so encode
 * and decode walk the array backwards.
 *
 * Lifetime: messages move between threads (interthread channels), so the
 * refcount uses __atomic builtins.  The JSON cache filled by unpack (a
 * const operation) is installed with a compare-and-swap, so two threads
 * unpacking one shared message do not leak or double-free.  Everything
 * else that mutates a message, including flux_msg_last_error's text and
 * the aux list, must be done by one thread at a time: a shared message
 * (refcount > 1) should be treated as read-only.
 *
 * JSON payloads are stored as compact text with a trailing NUL, as
 * flux-core does, so the bytes on the wire match a flux-core peer's.
 */

#if HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/message.h"
#include "message_private.h"
#include "aux.h"

#define PROTO_MAGIC 0x8E
#define PROTO_VERSION 0x01

/* Flags that describe content: they follow the message's parts. */
#define CONTENT_FLAGS (FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD \
                       | FLUX_MSGFLAG_ROUTE)

struct flux_msg {
    int refcount;

    uint8_t type;
    uint8_t flags;
    uint32_t userid;
    uint32_t rolemask;
    uint32_t aux1;          /* nodeid, errnum, seq or control type */
    uint32_t aux2;          /* matchtag or control status */

    char *topic;            /* set iff flags & TOPIC */
    void *payload;          /* set iff flags & PAYLOAD (maybe size 0) */
    size_t payload_size;

    char **routes;          /* [0] = first (oldest), [len-1] = last */
    int routes_len;
    int routes_cap;

    json_t *json;           /* parsed payload cache, see unpack */
    char *lasterr;
    struct aux_item *aux;

    size_t block_size;      /* bytes allocated after the struct */
    size_t block_used;      /* of which taken (see part_alloc) */
};

/* The block.  A message is allocated with room after its struct, where
 * decode and copy put the topic, the payload, the route array and the
 * route ids: one malloc for a message instead of one per part, which
 * mattered because a message is often made on one thread and freed on
 * another (a request the broker decodes and a module answers), where
 * glibc's per-thread cache does not help.  Parts set later take the
 * block's rest while it lasts (the router's route push, a small
 * payload), then the heap; a part replaced or removed is freed only if
 * it is not in the block, whose bytes are given back with the message.
 */
#define BLOCK_START ((sizeof (struct flux_msg) + 15) & ~(size_t)15)

/* Room every block gets beyond what its parts need: a route id pushed
 * (a UUID) and a small payload set after create.
 */
#define BLOCK_SLACK 128

static char *block_base (const flux_msg_t *msg)
{
    return (char *)msg + BLOCK_START;
}

static bool in_block (const flux_msg_t *msg, const void *p)
{
    uintptr_t base = (uintptr_t)block_base (msg);
    return (uintptr_t)p >= base && (uintptr_t)p < base + msg->block_size;
}

/* Free part p of msg, unless it lives in the block. */
static void part_free (const flux_msg_t *msg, void *p)
{
    if (!in_block (msg, p))
        free (p);
}

/* 'size' bytes of the block, at a multiple of 'align' (a power of two)
 * from the allocation's start, or else of the heap.  NULL only if malloc
 * fails.  A part is at least a byte (malloc(0) may return NULL, and an
 * empty part at the block's end would not be in it).
 */
static void *part_alloc (flux_msg_t *msg, size_t size, size_t align)
{
    size_t off = (BLOCK_START + msg->block_used + align - 1) & ~(align - 1);

    off -= BLOCK_START;
    if (size == 0)
        size = 1;
    if (off <= msg->block_size && size <= msg->block_size - off) {
        msg->block_used = off + size;
        return block_base (msg) + off;
    }
    return malloc (size);
}

/* A C string of the len bytes at data, in the block or the heap. */
static char *part_strndup (flux_msg_t *msg, const void *data, size_t len)
{
    char *s;

    if (!(s = part_alloc (msg, len + 1, 1)))
        return NULL;
    memcpy (s, data, len);
    s[len] = '\0';
    return s;
}

/* A new message with a block of 'block' bytes and fields zeroed. */
static flux_msg_t *msg_alloc (size_t block)
{
    flux_msg_t *msg;

    if (block > SIZE_MAX - BLOCK_START - BLOCK_SLACK) {
        errno = ENOMEM;
        return NULL;
    }
    block += BLOCK_SLACK;
    if (!(msg = malloc (BLOCK_START + block)))
        return NULL;
    memset (msg, 0, sizeof (*msg));
    msg->block_size = block;
    msg->refcount = 1;
    msg->userid = FLUX_USERID_UNKNOWN;
    msg->rolemask = FLUX_ROLE_NONE;
    return msg;
}

static bool valid_type (int type)
{
    return type == FLUX_MSGTYPE_REQUEST || type == FLUX_MSGTYPE_RESPONSE
        || type == FLUX_MSGTYPE_EVENT || type == FLUX_MSGTYPE_CONTROL;
}

static void json_cache_clear (flux_msg_t *msg)
{
    json_t *o = __atomic_exchange_n (&msg->json, NULL, __ATOMIC_ACQ_REL);
    json_decref (o);
}

static void lasterr_clear (const flux_msg_t *cmsg)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;
    free (msg->lasterr);
    msg->lasterr = NULL;
}

static void lasterr_set (const flux_msg_t *cmsg, const char *fmt, ...)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;
    va_list ap;
    char *s = NULL;

    va_start (ap, fmt);
    if (vasprintf (&s, fmt, ap) < 0)
        s = NULL;
    va_end (ap);
    free (msg->lasterr);
    msg->lasterr = s;
}

void message_aux_clear (flux_msg_t *msg)
{
    if (msg)
        aux_destroy (&msg->aux);
}

static void routes_free (flux_msg_t *msg)
{
    for (int i = 0; i < msg->routes_len; i++)
        part_free (msg, msg->routes[i]);
    msg->routes_len = 0;
}

static void msg_free (flux_msg_t *msg)
{
    int saved_errno = errno;
    message_aux_clear (msg);
    routes_free (msg);
    part_free (msg, msg->routes);
    part_free (msg, msg->topic);
    part_free (msg, msg->payload);
    json_decref (msg->json);
    free (msg->lasterr);
    free (msg);
    errno = saved_errno;
}

/* flux_msg_create with a block of 'block' bytes more than the slack. */
static flux_msg_t *msg_create (int type, size_t block)
{
    flux_msg_t *msg;

    if (!valid_type (type)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg = msg_alloc (block)))
        return NULL;
    (void)flux_msg_set_type (msg, type);
    return msg;
}

flux_msg_t *flux_msg_create (int type)
{
    return msg_create (type, 0);
}

void flux_msg_decref (const flux_msg_t *cmsg)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;
    if (msg && __atomic_sub_fetch (&msg->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        msg_free (msg);
}

void flux_msg_destroy (flux_msg_t *msg)
{
    flux_msg_decref (msg);
}

const flux_msg_t *flux_msg_incref (const flux_msg_t *cmsg)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;
    if (!msg) {
        errno = EINVAL;
        return NULL;
    }
    __atomic_add_fetch (&msg->refcount, 1, __ATOMIC_RELAXED);
    return msg;
}

int flux_msg_refcount (const flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    return __atomic_load_n (&msg->refcount, __ATOMIC_ACQUIRE);
}

/* Room in the route array for 'count' ids: in the block while it has
 * room (decode and copy ask for one more than they fill, for the push of
 * the next hop), else on the heap.
 */
static int routes_reserve (flux_msg_t *msg, int count)
{
    if (count > msg->routes_cap) {
        int cap = msg->routes_cap ? msg->routes_cap * 2 : 4;
        char **p;
        if (cap < count)
            cap = count;
        if (msg->routes && !in_block (msg, msg->routes))
            p = realloc (msg->routes, cap * sizeof (p[0]));
        else if ((p = part_alloc (msg, cap * sizeof (p[0]), sizeof (p[0])))
                 && msg->routes_len > 0)
            memcpy (p, msg->routes, msg->routes_len * sizeof (p[0]));
        if (!p)
            return -1;
        msg->routes = p;
        msg->routes_cap = cap;
    }
    return 0;
}

flux_msg_t *flux_msg_copy (const flux_msg_t *msg, bool payload)
{
    flux_msg_t *cpy;
    size_t block;

    if (!msg) {
        errno = EINVAL;
        return NULL;
    }
    /* The parts copied, in the block: topic, payload, the route array
     * with a slot to spare, route ids (and alignment).
     */
    block = (msg->topic ? strlen (msg->topic) + 1 : 0)
            + (payload ? msg->payload_size + 1 : 0)
            + (msg->routes_len + 1) * sizeof (char *) + sizeof (char *);
    for (int i = 0; i < msg->routes_len; i++)
        block += strlen (msg->routes[i]) + 1;
    if (!(cpy = msg_alloc (block)))
        return NULL;
    cpy->type = msg->type;
    cpy->flags = msg->flags;
    cpy->userid = msg->userid;
    cpy->rolemask = msg->rolemask;
    cpy->aux1 = msg->aux1;
    cpy->aux2 = msg->aux2;
    if (msg->routes_len > 0) {
        if (routes_reserve (cpy, msg->routes_len + 1) < 0)
            goto error;
        for (int i = 0; i < msg->routes_len; i++) {
            if (!(cpy->routes[i] = part_strndup (cpy, msg->routes[i],
                                                 strlen (msg->routes[i]))))
                goto error;
            cpy->routes_len++;
        }
    }
    if (msg->topic && !(cpy->topic = part_strndup (cpy, msg->topic,
                                                   strlen (msg->topic))))
        goto error;
    if (payload && (msg->flags & FLUX_MSGFLAG_PAYLOAD)) {
        if (!(cpy->payload = part_alloc (cpy, msg->payload_size, 1)))
            goto error;
        memcpy (cpy->payload, msg->payload, msg->payload_size);
        cpy->payload_size = msg->payload_size;
    }
    else
        cpy->flags &= ~FLUX_MSGFLAG_PAYLOAD;
    return cpy;
error:
    msg_free (cpy);
    return NULL;
}

/* N.B. aux is mutable state on a const message (like the JSON cache),
 * but unlike the cache it is not thread-safe: see the top of this file.
 */
int flux_msg_aux_set (const flux_msg_t *cmsg, const char *name,
                      void *aux, flux_free_f destroy)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    return aux_set (&msg->aux, name, aux, destroy);
}

void *flux_msg_aux_get (const flux_msg_t *msg, const char *name)
{
    if (!msg) {
        errno = EINVAL;
        return NULL;
    }
    return aux_get (msg->aux, name);
}

/* Encoding */

static size_t part_size (size_t len)
{
    return (len < 255 ? 1 : 5) + len;
}

static uint8_t *put_be32 (uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
    return p + 4;
}

static uint32_t get_be32 (const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
         | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint8_t *put_part (uint8_t *p, const void *data, size_t len)
{
    if (len < 255)
        *p++ = len;
    else {
        *p++ = 0xff;
        p = put_be32 (p, len);
    }
    if (len > 0)
        memcpy (p, data, len);
    return p + len;
}

static size_t encode_size (const flux_msg_t *msg)
{
    size_t size = part_size (FLUX_MSG_PROTO_SIZE);

    if (msg->flags & FLUX_MSGFLAG_ROUTE) {
        for (int i = 0; i < msg->routes_len; i++)
            size += part_size (strlen (msg->routes[i]));
        size += part_size (0);
    }
    if (msg->flags & FLUX_MSGFLAG_TOPIC)
        size += part_size (strlen (msg->topic));
    if (msg->flags & FLUX_MSGFLAG_PAYLOAD)
        size += part_size (msg->payload_size);
    return size;
}

ssize_t flux_msg_encode_size (const flux_msg_t *msg)
{
    size_t size;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    size = encode_size (msg);
    /* Part sizes and the socket frame length are 4-byte fields. */
    if (size > UINT32_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return size;
}

int flux_msg_encode (const flux_msg_t *msg, void *buf, size_t size)
{
    uint8_t proto[FLUX_MSG_PROTO_SIZE];
    uint8_t *p = buf;
    ssize_t need;

    if (!msg || !buf) {
        errno = EINVAL;
        return -1;
    }
    if ((need = flux_msg_encode_size (msg)) < 0)
        return -1;
    if ((size_t)need > size) {
        errno = EINVAL;
        return -1;
    }
    if (msg->flags & FLUX_MSGFLAG_ROUTE) {
        for (int i = msg->routes_len - 1; i >= 0; i--)
            p = put_part (p, msg->routes[i], strlen (msg->routes[i]));
        p = put_part (p, NULL, 0);
    }
    if (msg->flags & FLUX_MSGFLAG_TOPIC)
        p = put_part (p, msg->topic, strlen (msg->topic));
    if (msg->flags & FLUX_MSGFLAG_PAYLOAD)
        p = put_part (p, msg->payload, msg->payload_size);
    proto[0] = PROTO_MAGIC;
    proto[1] = PROTO_VERSION;
    proto[2] = msg->type;
    proto[3] = msg->flags;
    put_be32 (&proto[4], msg->userid);
    put_be32 (&proto[8], msg->rolemask);
    put_be32 (&proto[12], msg->aux1);
    put_be32 (&proto[16], msg->aux2);
    put_part (p, proto, sizeof (proto));
    return 0;
}

/* Read the part at *off from buf[0..size), advancing *off.  Returns -1 if
 * the size field or the data would run past the end of the buffer.
 */
static int get_part (const uint8_t *buf, size_t size, size_t *off,
                     const uint8_t **data, size_t *len)
{
    size_t o = *off;
    size_t n;

    if (o >= size)
        return -1;
    n = buf[o++];
    if (n == 0xff) {
        if (size - o < 4)
            return -1;
        n = get_be32 (&buf[o]);
        o += 4;
    }
    if (n > size - o)
        return -1;
    *data = &buf[o];
    *len = n;
    *off = o + n;
    return 0;
}

/* Topic and route ids are C strings: an embedded NUL cannot be stored. */
static char *strndup_checked (flux_msg_t *msg, const uint8_t *data,
                              size_t len)
{
    if (memchr (data, '\0', len)) {
        errno = EPROTO;
        return NULL;
    }
    return part_strndup (msg, data, len);
}

flux_msg_t *flux_msg_decode (const void *vbuf, size_t size)
{
    const uint8_t *buf = vbuf;
    const uint8_t *data = NULL;
    const uint8_t *proto = NULL;
    size_t len;
    size_t off;
    size_t proto_off = 0;
    size_t nroutes = 0;
    size_t block = 0;
    flux_msg_t *msg = NULL;

    if (!buf && size > 0) {
        errno = EINVAL;
        return NULL;
    }
    /* Pass 1: check that the parts tile the buffer exactly, and find the
     * last one, which is PROTO.  The block holds every part with a NUL
     * and a route array slot each (the route delimiter's slot is the
     * spare one), and alignment.
     */
    off = 0;
    while (off < size) {
        proto_off = off;
        if (get_part (buf, size, &off, &data, &len) < 0)
            goto eproto;
        proto = data;
        block += len + 1 + sizeof (char *);
    }
    if (!proto || len != FLUX_MSG_PROTO_SIZE
        || proto[0] != PROTO_MAGIC || proto[1] != PROTO_VERSION
        || !valid_type (proto[2]))
        goto eproto;
    if ((proto[3] & FLUX_MSGFLAG_STREAMING)
        && (proto[3] & FLUX_MSGFLAG_NORESPONSE))
        goto eproto;
    if (!(msg = msg_create (proto[2], block + sizeof (char *))))
        return NULL;
    msg->flags = proto[3] & ~CONTENT_FLAGS;
    msg->userid = get_be32 (&proto[4]);
    msg->rolemask = get_be32 (&proto[8]);
    msg->aux1 = get_be32 (&proto[12]);
    msg->aux2 = get_be32 (&proto[16]);

    /* Pass 2: apply the flags to the parts before PROTO.  Parts were
     * checked in pass 1, so get_part cannot fail before proto_off.
     */
    off = 0;
    if (proto[3] & FLUX_MSGFLAG_ROUTE) {
        size_t route_off = 0;
        flux_msg_route_enable (msg);
        for (;;) {
            if (off >= proto_off)
                goto eproto; // no delimiter
            (void)get_part (buf, size, &off, &data, &len);
            if (len == 0)
                break;
            nroutes++;
        }
        if (nroutes > INT32_MAX / 2)
            goto eproto;
        if (routes_reserve (msg, nroutes + 1) < 0)
            goto error;
        for (size_t i = 0; i < nroutes; i++) {
            (void)get_part (buf, size, &route_off, &data, &len);
            if (!(msg->routes[i] = strndup_checked (msg, data, len)))
                goto error;
            msg->routes_len++;
        }
        /* Wire order is most recent hop first; the array is oldest first. */
        for (size_t i = 0; i < nroutes / 2; i++) {
            char *tmp = msg->routes[i];
            msg->routes[i] = msg->routes[nroutes - 1 - i];
            msg->routes[nroutes - 1 - i] = tmp;
        }
    }
    if (proto[3] & FLUX_MSGFLAG_TOPIC) {
        if (off >= proto_off)
            goto eproto;
        (void)get_part (buf, size, &off, &data, &len);
        if (!(msg->topic = strndup_checked (msg, data, len)))
            goto error;
        msg->flags |= FLUX_MSGFLAG_TOPIC;
    }
    if (proto[3] & FLUX_MSGFLAG_PAYLOAD) {
        if (off >= proto_off)
            goto eproto;
        (void)get_part (buf, size, &off, &data, &len);
        if (flux_msg_set_payload (msg, data, len) < 0)
            goto error;
    }
    if (off != proto_off)
        goto eproto; // parts the flags do not account for
    return msg;
eproto:
    errno = EPROTO;
error:
    flux_msg_destroy (msg);
    return NULL;
}

/* Type and flags */

int flux_msg_set_type (flux_msg_t *msg, int type)
{
    if (!msg || !valid_type (type)) {
        errno = EINVAL;
        return -1;
    }
    msg->type = type;
    switch (type) {
        case FLUX_MSGTYPE_REQUEST:
            msg->aux1 = FLUX_NODEID_ANY;
            msg->aux2 = FLUX_MATCHTAG_NONE;
            break;
        case FLUX_MSGTYPE_RESPONSE:
            /* N.B. the matchtag is kept: a response derived from a
             * request must carry the request's matchtag.
             */
            msg->aux1 = 0;
            break;
        case FLUX_MSGTYPE_EVENT:
        case FLUX_MSGTYPE_CONTROL:
            msg->aux1 = 0;
            msg->aux2 = 0;
            break;
    }
    return 0;
}

int flux_msg_get_type (const flux_msg_t *msg, int *type)
{
    if (!msg || !type) {
        errno = EINVAL;
        return -1;
    }
    *type = msg->type;
    return 0;
}

const char *flux_msg_typestr (int type)
{
    switch (type) {
        case FLUX_MSGTYPE_REQUEST:
            return "request";
        case FLUX_MSGTYPE_RESPONSE:
            return "response";
        case FLUX_MSGTYPE_EVENT:
            return "event";
        case FLUX_MSGTYPE_CONTROL:
            return "control";
    }
    return "unknown";
}

int flux_msg_set_flags (flux_msg_t *msg, uint8_t flags)
{
    if (!msg || ((flags & FLUX_MSGFLAG_STREAMING)
                 && (flags & FLUX_MSGFLAG_NORESPONSE))) {
        errno = EINVAL;
        return -1;
    }
    msg->flags = (msg->flags & CONTENT_FLAGS) | (flags & ~CONTENT_FLAGS);
    return 0;
}

int flux_msg_get_flags (const flux_msg_t *msg, uint8_t *flags)
{
    if (!msg || !flags) {
        errno = EINVAL;
        return -1;
    }
    *flags = msg->flags;
    return 0;
}

int flux_msg_set_private (flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->flags |= FLUX_MSGFLAG_PRIVATE;
    return 0;
}

bool flux_msg_is_private (const flux_msg_t *msg)
{
    return msg && (msg->flags & FLUX_MSGFLAG_PRIVATE);
}

int flux_msg_set_streaming (flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->flags &= ~FLUX_MSGFLAG_NORESPONSE;
    msg->flags |= FLUX_MSGFLAG_STREAMING;
    return 0;
}

bool flux_msg_is_streaming (const flux_msg_t *msg)
{
    return msg && (msg->flags & FLUX_MSGFLAG_STREAMING);
}

int flux_msg_set_noresponse (flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->flags &= ~FLUX_MSGFLAG_STREAMING;
    msg->flags |= FLUX_MSGFLAG_NORESPONSE;
    return 0;
}

bool flux_msg_is_noresponse (const flux_msg_t *msg)
{
    return msg && (msg->flags & FLUX_MSGFLAG_NORESPONSE);
}

/* Topic and payload */

int flux_msg_set_topic (flux_msg_t *msg, const char *topic)
{
    char *cpy = NULL;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (topic && !(cpy = part_strndup (msg, topic, strlen (topic))))
        return -1;
    part_free (msg, msg->topic);
    msg->topic = cpy;
    if (cpy)
        msg->flags |= FLUX_MSGFLAG_TOPIC;
    else
        msg->flags &= ~FLUX_MSGFLAG_TOPIC;
    return 0;
}

int flux_msg_get_topic (const flux_msg_t *msg, const char **topic)
{
    if (!msg || !topic) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_TOPIC)) {
        errno = EPROTO;
        return -1;
    }
    *topic = msg->topic;
    return 0;
}

int flux_msg_set_payload (flux_msg_t *msg, const void *data, size_t size)
{
    void *cpy = NULL;

    if (!msg || (!data && size > 0)) {
        errno = EINVAL;
        return -1;
    }
    if (data) {
        if (!(cpy = part_alloc (msg, size, 1)))
            return -1;
        memcpy (cpy, data, size);
    }
    json_cache_clear (msg);
    lasterr_clear (msg);
    part_free (msg, msg->payload);
    msg->payload = cpy;
    msg->payload_size = cpy ? size : 0;
    if (cpy)
        msg->flags |= FLUX_MSGFLAG_PAYLOAD;
    else
        msg->flags &= ~FLUX_MSGFLAG_PAYLOAD;
    return 0;
}

int flux_msg_get_payload (const flux_msg_t *msg, const void **data,
                          size_t *size)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_PAYLOAD)) {
        errno = EPROTO;
        return -1;
    }
    if (data)
        *data = msg->payload;
    if (size)
        *size = msg->payload_size;
    return 0;
}

bool flux_msg_has_payload (const flux_msg_t *msg)
{
    return msg && (msg->flags & FLUX_MSGFLAG_PAYLOAD);
}

int flux_msg_set_string (flux_msg_t *msg, const char *s)
{
    if (!s)
        return flux_msg_set_payload (msg, NULL, 0);
    return flux_msg_set_payload (msg, s, strlen (s) + 1);
}

int flux_msg_get_string (const flux_msg_t *msg, const char **s)
{
    if (!msg || !s) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_PAYLOAD)) {
        *s = NULL;
        return 0;
    }
    if (msg->payload_size == 0
        || ((const char *)msg->payload)[msg->payload_size - 1] != '\0') {
        errno = EPROTO;
        return -1;
    }
    *s = msg->payload;
    return 0;
}

/* JSON */

int flux_msg_vpack (flux_msg_t *msg, const char *fmt, va_list ap)
{
    json_error_t jerr;
    json_t *o = NULL;
    char *s = NULL;

    if (!fmt || *fmt == '\0') {
        errno = EINVAL;
        return -1;
    }
    /* N.B. pack even without a message: "o" arguments are the caller's
     * to give away, and must be released on every path.
     */
    if (!(o = json_vpack_ex (&jerr, 0, fmt, ap)))
        goto inval;
    if (!msg)
        goto inval;
    if (!json_is_object (o))
        goto inval;
    if (!(s = json_dumps (o, JSON_COMPACT)))
        goto inval; // e.g. a NaN real
    if (flux_msg_set_string (msg, s) < 0)
        goto error;
    /* N.B. 'o' is not kept as the parse cache: objects packed with "O"
     * are shared with the caller, who may change them afterwards.
     */
    free (s);
    json_decref (o);
    return 0;
inval:
    errno = EINVAL;
error:
    {
        int saved_errno = errno;
        free (s);
        json_decref (o);
        errno = saved_errno;
    }
    return -1;
}

int flux_msg_pack (flux_msg_t *msg, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_msg_vpack (msg, fmt, ap);
    va_end (ap);
    return rc;
}

/* Return the parsed payload, parsing it on first use.  The result is
 * borrowed from the message.
 */
static json_t *json_get (const flux_msg_t *cmsg)
{
    flux_msg_t *msg = (flux_msg_t *)cmsg;
    json_error_t jerr;
    json_t *o;
    json_t *expected = NULL;
    const char *s;

    if ((o = __atomic_load_n (&msg->json, __ATOMIC_ACQUIRE)))
        return o;
    if (!(msg->flags & FLUX_MSGFLAG_PAYLOAD)) {
        lasterr_set (msg, "message has no payload");
        goto eproto;
    }
    if (flux_msg_get_string (msg, &s) < 0) {
        lasterr_set (msg, "payload is not a NUL-terminated string");
        goto eproto;
    }
    if (!(o = json_loads (s, 0, &jerr))) {
        lasterr_set (msg, "payload is not valid JSON: %s", jerr.text);
        goto eproto;
    }
    if (!json_is_object (o)) {
        json_decref (o);
        lasterr_set (msg, "payload is not a JSON object");
        goto eproto;
    }
    if (!__atomic_compare_exchange_n (&msg->json, &expected, o, false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        json_decref (o); // another thread won; use its copy
        o = expected;
    }
    return o;
eproto:
    errno = EPROTO;
    return NULL;
}

int flux_msg_vunpack (const flux_msg_t *msg, const char *fmt, va_list ap)
{
    json_error_t jerr;
    json_t *o;

    if (!msg || !fmt || *fmt == '\0') {
        errno = EINVAL;
        return -1;
    }
    if (!(o = json_get (msg)))
        return -1;
    if (json_vunpack_ex (o, &jerr, 0, fmt, ap) < 0) {
        lasterr_set (msg, "%s", jerr.text);
        errno = EPROTO;
        return -1;
    }
    return 0;
}

int flux_msg_unpack (const flux_msg_t *msg, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_msg_vunpack (msg, fmt, ap);
    va_end (ap);
    return rc;
}

const char *flux_msg_last_error (const flux_msg_t *msg)
{
    if (!msg)
        return "msg object is NULL";
    return msg->lasterr ? msg->lasterr : "";
}

/* PROTO integers */

int flux_msg_set_nodeid (flux_msg_t *msg, uint32_t nodeid)
{
    /* N.B. UPSTREAM is an API value (send to my parent), never a wire
     * value: the RPC layer turns it into the UPSTREAM flag.
     */
    if (!msg || nodeid == FLUX_NODEID_UPSTREAM) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_REQUEST) {
        errno = EPROTO;
        return -1;
    }
    msg->aux1 = nodeid;
    return 0;
}

int flux_msg_get_nodeid (const flux_msg_t *msg, uint32_t *nodeid)
{
    if (!msg || !nodeid) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_REQUEST) {
        errno = EPROTO;
        return -1;
    }
    *nodeid = msg->aux1;
    return 0;
}

int flux_msg_set_userid (flux_msg_t *msg, uint32_t userid)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->userid = userid;
    return 0;
}

int flux_msg_get_userid (const flux_msg_t *msg, uint32_t *userid)
{
    if (!msg || !userid) {
        errno = EINVAL;
        return -1;
    }
    *userid = msg->userid;
    return 0;
}

int flux_msg_set_rolemask (flux_msg_t *msg, uint32_t rolemask)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->rolemask = rolemask;
    return 0;
}

int flux_msg_get_rolemask (const flux_msg_t *msg, uint32_t *rolemask)
{
    if (!msg || !rolemask) {
        errno = EINVAL;
        return -1;
    }
    *rolemask = msg->rolemask;
    return 0;
}

int flux_msg_set_cred (flux_msg_t *msg, struct flux_msg_cred cred)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    msg->userid = cred.userid;
    msg->rolemask = cred.rolemask;
    return 0;
}

int flux_msg_get_cred (const flux_msg_t *msg, struct flux_msg_cred *cred)
{
    if (!msg || !cred) {
        errno = EINVAL;
        return -1;
    }
    cred->userid = msg->userid;
    cred->rolemask = msg->rolemask;
    return 0;
}

int flux_msg_cred_authorize (struct flux_msg_cred cred, uint32_t userid)
{
    if ((cred.rolemask & FLUX_ROLE_OWNER))
        return 0;
    if ((cred.rolemask & FLUX_ROLE_USER)
        && cred.userid != FLUX_USERID_UNKNOWN
        && cred.userid == userid)
        return 0;
    errno = EPERM;
    return -1;
}

int flux_msg_authorize (const flux_msg_t *msg, uint32_t userid)
{
    struct flux_msg_cred cred;

    if (flux_msg_get_cred (msg, &cred) < 0)
        return -1;
    return flux_msg_cred_authorize (cred, userid);
}

int flux_msg_set_errnum (flux_msg_t *msg, int errnum)
{
    if (!msg || errnum < 0) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_RESPONSE) {
        errno = EPROTO;
        return -1;
    }
    msg->aux1 = errnum;
    return 0;
}

int flux_msg_get_errnum (const flux_msg_t *msg, int *errnum)
{
    if (!msg || !errnum) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_RESPONSE) {
        errno = EPROTO;
        return -1;
    }
    *errnum = msg->aux1;
    return 0;
}

int flux_msg_set_seq (flux_msg_t *msg, uint32_t seq)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_EVENT) {
        errno = EPROTO;
        return -1;
    }
    msg->aux1 = seq;
    return 0;
}

int flux_msg_get_seq (const flux_msg_t *msg, uint32_t *seq)
{
    if (!msg || !seq) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_EVENT) {
        errno = EPROTO;
        return -1;
    }
    *seq = msg->aux1;
    return 0;
}

static bool has_matchtag (const flux_msg_t *msg)
{
    return msg->type == FLUX_MSGTYPE_REQUEST
        || msg->type == FLUX_MSGTYPE_RESPONSE;
}

int flux_msg_set_matchtag (flux_msg_t *msg, uint32_t matchtag)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (!has_matchtag (msg)) {
        errno = EPROTO;
        return -1;
    }
    msg->aux2 = matchtag;
    return 0;
}

int flux_msg_get_matchtag (const flux_msg_t *msg, uint32_t *matchtag)
{
    if (!msg || !matchtag) {
        errno = EINVAL;
        return -1;
    }
    if (!has_matchtag (msg)) {
        errno = EPROTO;
        return -1;
    }
    *matchtag = msg->aux2;
    return 0;
}

int flux_msg_set_control (flux_msg_t *msg, int type, int status)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_CONTROL) {
        errno = EPROTO;
        return -1;
    }
    msg->aux1 = type;
    msg->aux2 = status;
    return 0;
}

int flux_msg_get_control (const flux_msg_t *msg, int *type, int *status)
{
    if (!msg || !type || !status) {
        errno = EINVAL;
        return -1;
    }
    if (msg->type != FLUX_MSGTYPE_CONTROL) {
        errno = EPROTO;
        return -1;
    }
    *type = msg->aux1;
    *status = msg->aux2;
    return 0;
}

/* fnmatch (glob, topic, 0), without its cost for the globs handlers are
 * usually registered with: a topic ("kvs.get") or a prefix and a star
 * ("kvs.*").  glibc's fnmatch converts both strings to wide characters
 * first in a UTF-8 locale: about 1,100 instructions a call, more than
 * the rest of a dispatch.  With no flags, a glob without * ? [ or \ matches
 * only itself, and a lone trailing * matches any rest (even a '/' or a
 * '.'), so these two are exact.
 */
static bool topic_match (const char *glob, const char *topic)
{
    size_t n = strcspn (glob, "*?[\\");

    if (glob[n] == '\0')
        return strcmp (glob, topic) == 0;
    if (glob[n] == '*' && glob[n + 1] == '\0')
        return strncmp (glob, topic, n) == 0;
    return fnmatch (glob, topic, 0) == 0;
}

bool flux_msg_cmp (const flux_msg_t *msg, struct flux_match match)
{
    if (!msg)
        return false;
    if (match.typemask != 0 && (msg->type & match.typemask) == 0)
        return false;
    if (match.matchtag != FLUX_MATCHTAG_NONE) {
        if (!has_matchtag (msg) || msg->aux2 != match.matchtag)
            return false;
    }
    if (match.topic_glob && match.topic_glob[0] != '\0'
        && strcmp (match.topic_glob, "*") != 0) {
        if (!(msg->flags & FLUX_MSGFLAG_TOPIC)
            || !topic_match (match.topic_glob, msg->topic))
            return false;
    }
    return true;
}

/* Route stack */

void flux_msg_route_enable (flux_msg_t *msg)
{
    if (msg)
        msg->flags |= FLUX_MSGFLAG_ROUTE;
}

void flux_msg_route_clear (flux_msg_t *msg)
{
    if (msg)
        routes_free (msg);
}

void flux_msg_route_disable (flux_msg_t *msg)
{
    if (msg) {
        routes_free (msg);
        msg->flags &= ~FLUX_MSGFLAG_ROUTE;
    }
}

int flux_msg_route_push (flux_msg_t *msg, const char *id)
{
    char *cpy;

    if (!msg || !id) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_ROUTE)) {
        errno = EPROTO;
        return -1;
    }
    if (msg->routes_len == INT32_MAX / 2) {
        errno = EOVERFLOW;
        return -1;
    }
    if (routes_reserve (msg, msg->routes_len + 1) < 0)
        return -1;
    if (!(cpy = part_strndup (msg, id, strlen (id))))
        return -1;
    msg->routes[msg->routes_len++] = cpy;
    return 0;
}

int flux_msg_route_delete_last (flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_ROUTE)) {
        errno = EPROTO;
        return -1;
    }
    if (msg->routes_len > 0)
        part_free (msg, msg->routes[--msg->routes_len]);
    return 0;
}

const char *flux_msg_route_first (const flux_msg_t *msg)
{
    if (!msg || !(msg->flags & FLUX_MSGFLAG_ROUTE) || msg->routes_len == 0)
        return NULL;
    return msg->routes[0];
}

const char *flux_msg_route_last (const flux_msg_t *msg)
{
    if (!msg || !(msg->flags & FLUX_MSGFLAG_ROUTE) || msg->routes_len == 0)
        return NULL;
    return msg->routes[msg->routes_len - 1];
}

int flux_msg_route_count (const flux_msg_t *msg)
{
    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (!(msg->flags & FLUX_MSGFLAG_ROUTE)) {
        errno = EPROTO;
        return -1;
    }
    return msg->routes_len;
}

char *flux_msg_route_string (const flux_msg_t *msg)
{
    size_t len = 1;
    char *s;
    char *p;

    if (!msg) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg->flags & FLUX_MSGFLAG_ROUTE)) {
        errno = EPROTO;
        return NULL;
    }
    for (int i = 0; i < msg->routes_len; i++)
        len += strnlen (msg->routes[i], 8) + 1;
    if (!(s = malloc (len)))
        return NULL;
    p = s;
    for (int i = 0; i < msg->routes_len; i++) {
        size_t n = strnlen (msg->routes[i], 8);
        if (i > 0)
            *p++ = '!';
        memcpy (p, msg->routes[i], n);
        p += n;
    }
    *p = '\0';
    return s;
}

bool flux_msg_route_match_first (const flux_msg_t *msg1,
                                 const flux_msg_t *msg2)
{
    const char *id1 = flux_msg_route_first (msg1);
    const char *id2 = flux_msg_route_first (msg2);

    if (!id1 && !id2)
        return true;
    return id1 && id2 && !strcmp (id1, id2);
}

/* Typed encoders' building blocks (message_private.h) */

flux_msg_t *message_create_topic (int type, const char *topic, bool routed)
{
    flux_msg_t *msg;

    if (!topic) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg = msg_create (type, strlen (topic) + 1)))
        return NULL;
    if (flux_msg_set_topic (msg, topic) < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    if (routed)
        flux_msg_route_enable (msg);
    return msg;
}

flux_msg_t *message_fill_string (flux_msg_t *msg, const char *s)
{
    if (msg && s && flux_msg_set_string (msg, s) < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return msg;
}

flux_msg_t *message_fill_raw (flux_msg_t *msg, const void *data, size_t len)
{
    if (!msg)
        return NULL;
    if (!data && len > 0) {
        errno = EINVAL;
        goto error;
    }
    if (data && flux_msg_set_payload (msg, data, len) < 0)
        goto error;
    return msg;
error:
    flux_msg_destroy (msg);
    return NULL;
}

/* Typed decoders' building blocks (message_private.h) */

int message_check_decode (const flux_msg_t *msg, int type, const char **topic)
{
    int t;
    const char *ts;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_type (msg, &t) < 0)
        return -1;
    if (t != type) {
        errno = EPROTO;
        return -1;
    }
    if (type == FLUX_MSGTYPE_RESPONSE) {
        int errnum;
        if (flux_msg_get_errnum (msg, &errnum) < 0)
            return -1;
        if (errnum != 0) {
            errno = errnum;
            return -1;
        }
    }
    if (flux_msg_get_topic (msg, &ts) < 0)
        return -1;
    if (topic)
        *topic = ts;
    return 0;
}

int message_decode_string (const flux_msg_t *msg, int type,
                           const char **topic, const char **s)
{
    const char *ts;
    const char *str;

    if (message_check_decode (msg, type, &ts) < 0
        || flux_msg_get_string (msg, &str) < 0)
        return -1;
    if (topic)
        *topic = ts;
    if (s)
        *s = str;
    return 0;
}

int message_decode_raw (const flux_msg_t *msg, int type, const char **topic,
                        const void **data, size_t *len)
{
    const char *ts;
    const void *d = NULL;
    size_t l = 0;

    if (!data || !len) {
        errno = EINVAL;
        return -1;
    }
    if (message_check_decode (msg, type, &ts) < 0)
        return -1;
    if (flux_msg_has_payload (msg)
        && flux_msg_get_payload (msg, &d, &l) < 0)
        return -1;
    if (topic)
        *topic = ts;
    *data = d;
    *len = l;
    return 0;
}

/* Flags one at a time (flux-core's flux_msg_set_flag/has_flag) and the
 * LOCAL role bit.  The content bits follow the content here (see the top
 * of this file): setting ROUTE enables the route stack, and TOPIC or
 * PAYLOAD may only be "set" on a message that already has that part.
 * A flag argument outside the eight flag bits, or one asking for both
 * STREAMING and NORESPONSE, or one that would leave both set, is EINVAL.
 */

bool flux_msg_has_flag (const flux_msg_t *msg, int flag)
{
    if (!msg)
        return false;
    return (msg->flags & flag) != 0;
}

int flux_msg_set_flag (flux_msg_t *msg, int flag)
{
    int want;

    if (!msg || flag < 0 || flag > 0xff) {
        errno = EINVAL;
        return -1;
    }
    want = msg->flags | flag;
    if ((want & FLUX_MSGFLAG_STREAMING) && (want & FLUX_MSGFLAG_NORESPONSE)) {
        errno = EINVAL;
        return -1;
    }
    if ((flag & (FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD))
        & ~msg->flags) {
        errno = EINVAL;
        return -1;
    }
    if ((flag & FLUX_MSGFLAG_ROUTE))
        flux_msg_route_enable (msg);
    msg->flags |= (uint8_t)(flag & ~CONTENT_FLAGS);
    return 0;
}

bool flux_msg_is_local (const flux_msg_t *msg)
{
    return msg && (msg->rolemask & FLUX_ROLE_LOCAL);
}

// vi:ts=4 sw=4 expandtab
