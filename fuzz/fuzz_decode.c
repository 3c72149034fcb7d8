/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* libFuzzer target: flux_msg_decode() of the bytes of one message (the
 * body of a socket frame), then everything a receiver does with it.
 *
 * Invariants, beyond "no memory error, no undefined behaviour":
 * - decode fails only with EPROTO (or ENOMEM);
 * - a decoded message's accessors agree with its flags (a TOPIC flag
 *   means a topic, a PAYLOAD flag a payload, ROUTE a route stack);
 * - encode(decode(x)) decodes again, and re-encoding that gives the same
 *   bytes: the encoding is a fixed point;
 * - if x uses the shortest size field of every part (as flux-core and
 *   our encoder write them), encode(decode(x)) == x byte for byte;
 * - a copy encodes as the original; a route pushed then deleted leaves
 *   the encoding unchanged.
 */
#include <jansson.h>
#include <stdbool.h>

#include "fuzz_common.h"
#include "message_private.h"

/* True if every part of buf uses the shortest size field for its
 * length.  Only called on a buffer decode accepted, so parts tile it.
 */
static bool canonical (const uint8_t *buf, size_t size)
{
    size_t off = 0;

    while (off < size) {
        size_t n = buf[off++];
        if (n == 0xff) {
            n = (size_t)buf[off] << 24 | (size_t)buf[off + 1] << 16
                | (size_t)buf[off + 2] << 8 | (size_t)buf[off + 3];
            off += 4;
            if (n < 0xff)
                return false;
        }
        off += n;
    }
    return true;
}

static void check_accessors (const flux_msg_t *msg)
{
    int type;
    uint8_t flags;
    const char *topic = NULL;
    const void *data;
    size_t len;
    const char *s;
    struct flux_msg_cred cred;
    uint32_t u;
    int a, b;

    check (flux_msg_get_type (msg, &type) == 0);
    check (flux_msg_get_flags (msg, &flags) == 0);
    check (!((flags & FLUX_MSGFLAG_STREAMING)
             && (flags & FLUX_MSGFLAG_NORESPONSE)));

    if (flags & FLUX_MSGFLAG_TOPIC) {
        check (flux_msg_get_topic (msg, &topic) == 0 && topic != NULL);
    }
    else
        check (flux_msg_get_topic (msg, &topic) < 0 && errno == EPROTO);

    if (flags & FLUX_MSGFLAG_PAYLOAD) {
        check (flux_msg_has_payload (msg));
        check (flux_msg_get_payload (msg, &data, &len) == 0);
        check (len == 0 || data != NULL);
        /* A string payload ends with its only NUL... or is refused. */
        if (flux_msg_get_string (msg, &s) == 0) {
            check (s != NULL && strlen (s) + 1 <= len);
            check (s[len - 1] == '\0');
        }
        else
            check (errno == EPROTO);
        /* The JSON path: parse, cache, parse again from the cache. */
        json_t *o1 = NULL, *o2 = NULL;
        if (flux_msg_unpack (msg, "o", &o1) == 0) {
            check (o1 != NULL);
            check (flux_msg_unpack (msg, "o", &o2) == 0 && o1 == o2);
            check (flux_msg_last_error (msg) != NULL);
        }
        else
            check (errno == EPROTO && *flux_msg_last_error (msg) != '\0');
    }
    else {
        check (!flux_msg_has_payload (msg));
        check (flux_msg_get_payload (msg, &data, &len) < 0);
        check (flux_msg_get_string (msg, &s) == 0 && s == NULL);
    }

    if (flags & FLUX_MSGFLAG_ROUTE) {
        int n = flux_msg_route_count (msg);
        char *rs;
        check (n >= 0);
        check ((n == 0) == (flux_msg_route_first (msg) == NULL));
        check ((n == 0) == (flux_msg_route_last (msg) == NULL));
        check ((rs = flux_msg_route_string (msg)) != NULL);
        /* At most 8 characters per hop, '!' between hops. */
        check (strlen (rs) <= (size_t)n * 9);
        free (rs);
        check (flux_msg_route_match_first (msg, msg) || n == 0);
    }
    else {
        check (flux_msg_route_count (msg) < 0 && errno == EPROTO);
        check (flux_msg_route_string (msg) == NULL);
    }

    check (flux_msg_get_cred (msg, &cred) == 0);
    (void)flux_msg_cred_authorize (cred, cred.userid);
    (void)flux_msg_authorize (msg, 0);
    (void)flux_msg_is_local (msg);
    (void)flux_msg_typestr (type);

    /* The type-specific PROTO fields answer for their type only. */
    check ((flux_msg_get_nodeid (msg, &u) == 0)
           == (type == FLUX_MSGTYPE_REQUEST));
    check ((flux_msg_get_errnum (msg, &a) == 0)
           == (type == FLUX_MSGTYPE_RESPONSE));
    check ((flux_msg_get_seq (msg, &u) == 0)
           == (type == FLUX_MSGTYPE_EVENT));
    check ((flux_msg_get_control (msg, &a, &b) == 0)
           == (type == FLUX_MSGTYPE_CONTROL));
    (void)flux_msg_get_matchtag (msg, &u);

    check (flux_msg_cmp (msg, FLUX_MATCH_ANY));
    if (topic) {
        /* Every topic matches the glob "*". */
        struct flux_match m = FLUX_MATCH_ANY;
        m.topic_glob = "*";
        check (flux_msg_cmp (msg, m));
    }

    /* What the request/response/event decoders do first. */
    const char *t2 = NULL;
    if (message_check_decode (msg, type, &t2) == 0)
        check (t2 == topic);
    if (message_decode_string (msg, type, &t2, &s) == 0)
        check (t2 == topic);
    if (message_decode_raw (msg, type, &t2, &data, &len) == 0)
        check (t2 == topic);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    flux_msg_t *msg, *msg2, *cpy;
    uint8_t *enc, *enc2, *enc3;
    size_t enc_size, enc2_size, enc3_size;

    errno = 0;
    if (!(msg = flux_msg_decode (data, size))) {
        check (errno == EPROTO || errno == ENOMEM);
        return 0;
    }
    check_accessors (msg);

    enc = encode_or_die (msg, &enc_size);
    if (canonical (data, size)) {
        check (enc_size == size);
        check (memcmp (enc, data, size) == 0);
    }
    check ((msg2 = flux_msg_decode (enc, enc_size)) != NULL);
    enc2 = encode_or_die (msg2, &enc2_size);
    check (enc2_size == enc_size && memcmp (enc, enc2, enc_size) == 0);

    /* A copy with its payload encodes as the original. */
    check ((cpy = flux_msg_copy (msg, true)) != NULL);
    enc3 = encode_or_die (cpy, &enc3_size);
    check (enc3_size == enc_size && memcmp (enc, enc3, enc_size) == 0);
    free (enc3);
    flux_msg_destroy (cpy);

    /* Without its payload, only the payload (and its flag) is gone. */
    check ((cpy = flux_msg_copy (msg, false)) != NULL);
    check (!flux_msg_has_payload (cpy));
    flux_msg_destroy (cpy);

    /* What the broker does to a routed message: push a hop, then pop. */
    if (flux_msg_has_flag (msg, FLUX_MSGFLAG_ROUTE)) {
        int n = flux_msg_route_count (msg);
        check (flux_msg_route_push (msg, "fuzzhop") == 0);
        check (flux_msg_route_count (msg) == n + 1);
        check (strcmp (flux_msg_route_last (msg), "fuzzhop") == 0);
        check (flux_msg_route_delete_last (msg) == 0);
        enc3 = encode_or_die (msg, &enc3_size);
        check (enc3_size == enc_size && memcmp (enc, enc3, enc_size) == 0);
        free (enc3);
    }

    free (enc2);
    free (enc);
    flux_msg_destroy (msg2);
    flux_msg_destroy (msg);
    return 0;
}

// vi:ts=4 sw=4 expandtab
