/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests against real flux-core wire captures ($FLUX_VECTORS_DIR,
 * see its README.md): every frame decodes and re-encodes to the same
 * bytes, the content is what the README says it is, and messages built
 * with our API encode to the captured bytes wherever the content is
 * deterministic.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"
#include "message_private.h"

struct capture {
    uint8_t *data;
    size_t len;
};

struct frame {
    const uint8_t *body;    /* the flux_msg_encode bytes */
    size_t len;
    const uint8_t *raw;     /* header + body */
    size_t rawlen;
};

enum { MAX_FRAMES = 16 };

static const char *vectors_dir (void)
{
    const char *dir = getenv ("FLUX_VECTORS_DIR");
    if (!dir)
        fail_msg ("FLUX_VECTORS_DIR is not set");
    return dir;
}

static struct capture load_path (const char *path)
{
    struct capture c = { 0 };
    FILE *f = fopen (path, "rb");
    if (!f)
        fail_msg ("%s: %s", path, strerror (errno));
    assert_int_equal (fseek (f, 0, SEEK_END), 0);
    long n = ftell (f);
    assert_true (n >= 0);
    rewind (f);
    c.len = n;
    c.data = malloc (n + 1);
    assert_non_null (c.data);
    assert_int_equal (fread (c.data, 1, n, f), (size_t)n);
    c.data[n] = '\0';
    fclose (f);
    return c;
}

static struct capture load (const char *name)
{
    char path[4096];
    snprintf (path, sizeof (path), "%s/%s", vectors_dir (), name);
    return load_path (path);
}

/* Split a stream into frames; fail on anything that is not a whole
 * number of well-formed frame headers.
 */
static int split (const uint8_t *data, size_t len, struct frame *frames)
{
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    size_t off = 0;
    int n = 0;

    while (off < len) {
        assert_true (n < MAX_FRAMES);
        assert_true (len - off >= 8);
        assert_memory_equal (data + off, &magic, 4);
        assert_memory_equal (data + off, "\x12\x00\xee\xff", 4);
        size_t flen = (size_t)data[off + 4] << 24 | data[off + 5] << 16
                    | data[off + 6] << 8 | data[off + 7];
        assert_true (len - off - 8 >= flen);
        frames[n].raw = data + off;
        frames[n].rawlen = 8 + flen;
        frames[n].body = data + off + 8;
        frames[n].len = flen;
        off += 8 + flen;
        n++;
    }
    return n;
}

/* The frames of NAME.DIR.bin; broker files start with the auth byte. */
static int load_frames (const char *name, bool from_broker,
                        struct capture *c, struct frame *frames)
{
    char file[256];
    snprintf (file, sizeof (file), "%s.%s.bin", name,
              from_broker ? "broker-to-client" : "client-to-broker");
    *c = load (file);
    if (from_broker) {
        assert_true (c->len >= 1);
        assert_int_equal (c->data[0], 0); // accepted
        return split (c->data + 1, c->len - 1, frames);
    }
    return split (c->data, c->len, frames);
}

static flux_msg_t *decode_frame (const struct frame *f)
{
    flux_msg_t *msg = flux_msg_decode (f->body, f->len);
    if (!msg)
        fail_msg ("decode: %s", strerror (errno));
    return msg;
}

/* Send msg through a socketpair and compare the bytes with 'expect'. */
static void assert_sends_as (const flux_msg_t *msg, const struct frame *expect)
{
    int fds[2];
    uint8_t buf[8192];
    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), 0);
    assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), 0);
    close (fds[0]);
    size_t n = 0;
    ssize_t rc;
    while ((rc = read (fds[1], buf + n, sizeof (buf) - n)) > 0)
        n += rc;
    close (fds[1]);
    assert_int_equal (n, expect->rawlen);
    assert_memory_equal (buf, expect->raw, n);
}

/* Every *.bin file in the folder: frames decode and re-encode to the
 * same bytes, directly and through recvfd/sendfd.
 */
static void test_all_files_roundtrip (void **state)
{
    (void)state;
    DIR *dir = opendir (vectors_dir ());
    struct dirent *d;
    int files = 0;
    int total_frames = 0;

    if (!dir)
        fail_msg ("%s: %s", vectors_dir (), strerror (errno));
    while ((d = readdir (dir))) {
        size_t nlen = strlen (d->d_name);
        if (nlen < 4 || strcmp (d->d_name + nlen - 4, ".bin") != 0)
            continue;
        bool from_broker = strstr (d->d_name, ".broker-to-client.") != NULL;
        assert_true (from_broker
                     || strstr (d->d_name, ".client-to-broker.") != NULL);
        char path[4096];
        snprintf (path, sizeof (path), "%s/%s", vectors_dir (), d->d_name);
        struct capture c = load_path (path);
        const uint8_t *stream = c.data + (from_broker ? 1 : 0);
        size_t slen = c.len - (from_broker ? 1 : 0);
        struct frame frames[MAX_FRAMES];
        int n = split (stream, slen, frames);

        /* decode / encode, frame by frame */
        for (int i = 0; i < n; i++) {
            flux_msg_t *msg = decode_frame (&frames[i]);
            ssize_t size = flux_msg_encode_size (msg);
            assert_int_equal (size, frames[i].len);
            uint8_t *buf = malloc (size);
            assert_int_equal (flux_msg_encode (msg, buf, size), 0);
            assert_memory_equal (buf, frames[i].body, size);
            free (buf);
            flux_msg_destroy (msg);
        }

        /* the whole stream through recvfd, then sendfd reproduces it */
        int in[2], out[2];
        assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM, 0, in), 0);
        assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM, 0, out), 0);
        assert_int_equal (write (in[0], stream, slen), (ssize_t)slen);
        close (in[0]);
        struct flux_msg_iobuf iobuf;
        flux_msg_iobuf_init (&iobuf);
        for (int i = 0; i < n; i++) {
            flux_msg_t *msg = flux_msg_recvfd (in[1], &iobuf);
            assert_non_null (msg);
            assert_int_equal (flux_msg_sendfd (out[0], msg, &iobuf), 0);
            flux_msg_destroy (msg);
        }
        errno = 0;
        assert_null (flux_msg_recvfd (in[1], &iobuf));
        assert_int_equal (errno, ECONNRESET);
        close (out[0]);
        uint8_t *copy = malloc (slen + 1);
        size_t got = 0;
        ssize_t rc;
        while ((rc = read (out[1], copy + got, slen + 1 - got)) > 0)
            got += rc;
        assert_int_equal (got, slen);
        assert_memory_equal (copy, stream, slen);
        free (copy);
        close (in[1]);
        close (out[1]);

        files++;
        total_frames += n;
        free (c.data);
    }
    closedir (dir);
    // seven exchanges and the 18 of the kvs session, two sides each
    if (files != 50)
        fail_msg ("%s: %d capture files (*.bin), expected 50",
                  vectors_dir (), files);
    assert_true (total_frames >= 14);
}

static void check_request (flux_msg_t *msg, const char *topic,
                           uint32_t matchtag)
{
    int type;
    uint32_t u;
    const char *s;
    assert_int_equal (flux_msg_get_type (msg, &type), 0);
    assert_int_equal (type, FLUX_MSGTYPE_REQUEST);
    assert_int_equal (flux_msg_get_topic (msg, &s), 0);
    assert_string_equal (s, topic);
    assert_int_equal (flux_msg_get_matchtag (msg, &u), 0);
    assert_int_equal (u, matchtag);
    assert_int_equal (flux_msg_get_nodeid (msg, &u), 0);
    assert_int_equal (u, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_userid (msg, &u), 0);
    assert_int_equal (u, FLUX_USERID_UNKNOWN);
    assert_int_equal (flux_msg_get_rolemask (msg, &u), 0);
    assert_int_equal (u, FLUX_ROLE_NONE);
    assert_int_equal (flux_msg_route_count (msg), 0);
}

/* A response as the broker sends it to a local client: its own creds
 * (uid 0 here, OWNER|LOCAL), its hops popped, the client's matchtag.
 */
static void check_response (flux_msg_t *msg, const char *topic,
                            uint32_t matchtag, int errnum)
{
    int type;
    int e;
    uint32_t u;
    const char *s;
    assert_int_equal (flux_msg_get_type (msg, &type), 0);
    assert_int_equal (type, FLUX_MSGTYPE_RESPONSE);
    assert_int_equal (flux_msg_get_topic (msg, &s), 0);
    assert_string_equal (s, topic);
    assert_int_equal (flux_msg_get_matchtag (msg, &u), 0);
    assert_int_equal (u, matchtag);
    assert_int_equal (flux_msg_get_errnum (msg, &e), 0);
    assert_int_equal (e, errnum);
    assert_int_equal (flux_msg_get_rolemask (msg, &u), 0);
    assert_int_equal (u, FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL);
    assert_int_equal (flux_msg_route_count (msg), 0);
}

/* Derive the response to 'req' as the broker would stamp it. */
static flux_msg_t *broker_response (const flux_msg_t *req, int errnum)
{
    flux_msg_t *rsp = flux_response_derive (req, errnum);
    assert_non_null (rsp);
    assert_int_equal (flux_msg_set_cred (rsp, (struct flux_msg_cred){
                          .userid = 0,
                          .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL }),
                      0);
    return rsp;
}

static void test_attr_get (void **state)
{
    (void)state;
    struct capture cc, bc;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const char *s;
    const char *name;
    int flags;
    uint8_t fl;

    assert_int_equal (load_frames ("attr-get", false, &cc, cf), 1);
    assert_int_equal (load_frames ("attr-get", true, &bc, bf), 1);

    flux_msg_t *req = decode_frame (&cf[0]);
    check_request (req, "attr.get", 1);
    assert_int_equal (flux_msg_get_flags (req, &fl), 0);
    assert_int_equal (fl, 0x0b);
    assert_int_equal (flux_request_unpack (req, NULL, "{s:s}", "name", &name),
                      0);
    assert_string_equal (name, "rank");

    flux_msg_t *rsp = decode_frame (&bf[0]);
    check_response (rsp, "attr.get", 1, 0);
    assert_int_equal (flux_response_decode (rsp, NULL, &s), 0);
    assert_int_equal (flux_msg_unpack (rsp, "{s:s s:i}", "value", &s,
                                       "flags", &flags), 0);
    assert_string_equal (s, "0");
    assert_int_equal (flags, 1);

    /* built with our API: the exact captured bytes.  Python's json.dumps
     * wrote this request (note the space), so it is a string payload.
     */
    flux_msg_t *mine = flux_request_encode ("attr.get", "{\"name\": \"rank\"}");
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    mine = broker_response (req, 0);
    assert_int_equal (flux_msg_pack (mine, "{s:s s:i}", "value", "0",
                                     "flags", 1), 0);
    assert_sends_as (mine, &bf[0]);
    flux_msg_destroy (mine);

    flux_msg_destroy (req);
    flux_msg_destroy (rsp);
    free (cc.data);
    free (bc.data);
}

/* flux ping: attr.get hostlist (C, flux_rpc_pack: compact JSON), then
 * broker.ping, whose response carries the route the command printed.
 */
static void test_ping_broker (void **state)
{
    (void)state;
    struct capture cc, bc, out;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const char *s;
    int seq;
    const char *route;

    assert_int_equal (load_frames ("ping-broker", false, &cc, cf), 2);
    assert_int_equal (load_frames ("ping-broker", true, &bc, bf), 2);

    flux_msg_t *req0 = decode_frame (&cf[0]);
    check_request (req0, "attr.get", 1);
    assert_int_equal (flux_request_unpack (req0, NULL, "{s:s}", "name", &s), 0);
    assert_string_equal (s, "hostlist");
    flux_msg_t *mine = flux_request_encode ("attr.get", NULL);
    assert_int_equal (flux_msg_pack (mine, "{s:s}", "name", "hostlist"), 0);
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    flux_msg_t *req1 = decode_frame (&cf[1]);
    check_request (req1, "broker.ping", 1);
    assert_int_equal (flux_request_unpack (req1, NULL, "{s:i s:s}",
                                           "seq", &seq, "pad", &s), 0);
    assert_int_equal (seq, 0);
    assert_string_equal (s, "");

    flux_msg_t *rsp0 = decode_frame (&bf[0]);
    check_response (rsp0, "attr.get", 1, 0);
    flux_msg_t *rsp1 = decode_frame (&bf[1]);
    check_response (rsp1, "broker.ping", 1, 0);
    assert_int_equal (flux_msg_unpack (rsp1, "{s:s}", "route", &route), 0);
    out = load ("ping-broker.output.txt");
    char expect[256];
    snprintf (expect, sizeof (expect), "(%s)", route);
    assert_non_null (strstr ((char *)out.data, expect));

    flux_msg_destroy (req0);
    flux_msg_destroy (req1);
    flux_msg_destroy (rsp0);
    flux_msg_destroy (rsp1);
    free (cc.data);
    free (bc.data);
    free (out.data);
}

static void test_module_list (void **state)
{
    (void)state;
    struct capture cc, bc, out;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    json_t *mods;
    size_t index;
    json_t *mod;
    const void *d;
    size_t len;
    uint8_t fl;

    assert_int_equal (load_frames ("module-list", false, &cc, cf), 1);
    assert_int_equal (load_frames ("module-list", true, &bc, bf), 1);

    flux_msg_t *req = decode_frame (&cf[0]);
    check_request (req, "module.list", 1);
    assert_false (flux_msg_has_payload (req));
    assert_int_equal (flux_msg_get_flags (req, &fl), 0);
    assert_int_equal (fl, FLUX_MSGFLAG_ROUTE | FLUX_MSGFLAG_TOPIC);
    flux_msg_t *mine = flux_request_encode ("module.list", NULL);
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    /* the payload uses the long part-size form: ff + 4-byte length */
    flux_msg_t *rsp = decode_frame (&bf[0]);
    check_response (rsp, "module.list", 1, 0);
    assert_int_equal (flux_msg_get_payload (rsp, &d, &len), 0);
    assert_true (len >= 255);
    const uint8_t *p = bf[0].body + 1 + (1 + strlen ("module.list"));
    assert_int_equal (p[0], 0xff);
    assert_int_equal ((size_t)p[1] << 24 | p[2] << 16 | p[3] << 8 | p[4], len);
    assert_memory_equal (p + 5, d, len);

    /* every module in the payload is in the printed table */
    out = load ("module-list.output.txt");
    assert_int_equal (flux_msg_unpack (rsp, "{s:o}", "mods", &mods), 0);
    assert_true (json_array_size (mods) > 0);
    json_array_foreach (mods, index, mod) {
        const char *name = json_string_value (json_object_get (mod, "name"));
        assert_non_null (name);
        assert_non_null (strstr ((char *)out.data, name));
    }
    flux_msg_destroy (req);
    flux_msg_destroy (rsp);
    free (cc.data);
    free (bc.data);
    free (out.data);
}

static void test_logger (void **state)
{
    (void)state;
    struct capture cc, bc;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const void *d;
    size_t len;
    const char *s;

    assert_int_equal (load_frames ("logger", false, &cc, cf), 2);
    assert_int_equal (load_frames ("logger", true, &bc, bf), 1);

    flux_msg_t *req0 = decode_frame (&cf[0]);
    check_request (req0, "attr.get", 1);
    flux_msg_t *mine = flux_request_encode ("attr.get", NULL);
    assert_int_equal (flux_msg_pack (mine, "{s:s}", "name", "rank"), 0);
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    /* log.append: a raw RFC 5424 line, no trailing NUL, no response */
    flux_msg_t *req1 = decode_frame (&cf[1]);
    check_request (req1, "log.append", FLUX_MATCHTAG_NONE);
    assert_int_equal (flux_request_decode_raw (req1, NULL, &d, &len), 0);
    assert_true (len > 0);
    assert_int_equal (((const char *)d)[0], '<');
    assert_int_not_equal (((const char *)d)[len - 1], '\0');
    assert_non_null (memmem (d, len, "vector-hello", 12));
    errno = 0;
    assert_int_equal (flux_request_decode (req1, NULL, &s), -1);
    assert_int_equal (errno, EPROTO);
    mine = flux_request_encode_raw ("log.append", d, len);
    assert_sends_as (mine, &cf[1]);
    flux_msg_destroy (mine);

    flux_msg_t *rsp = decode_frame (&bf[0]);
    check_response (rsp, "attr.get", 1, 0);

    flux_msg_destroy (req0);
    flux_msg_destroy (req1);
    flux_msg_destroy (rsp);
    free (cc.data);
    free (bc.data);
}

static void test_event_pub (void **state)
{
    (void)state;
    struct capture cc, bc;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const char *s;
    int type;
    int a;
    uint32_t u;

    assert_int_equal (load_frames ("event-pub", false, &cc, cf), 1);
    assert_int_equal (load_frames ("event-pub", true, &bc, bf), 0);
    assert_int_equal (bc.len, 1); // only the auth byte

    flux_msg_t *ev = decode_frame (&cf[0]);
    assert_int_equal (flux_msg_get_type (ev, &type), 0);
    assert_int_equal (type, FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_get_topic (ev, &s), 0);
    assert_string_equal (s, "vector.topic");
    assert_int_equal (flux_msg_get_seq (ev, &u), 0);
    assert_int_equal (u, 0);
    assert_int_equal (flux_msg_unpack (ev, "{s:i}", "a", &a), 0);
    assert_int_equal (a, 1);

    flux_msg_t *mine = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_set_topic (mine, "vector.topic"), 0);
    assert_int_equal (flux_msg_pack (mine, "{s:i}", "a", 1), 0);
    flux_msg_route_enable (mine);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    flux_msg_destroy (ev);
    free (cc.data);
    free (bc.data);
}

static void test_unknown_service (void **state)
{
    (void)state;
    struct capture cc, bc;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const char *s;
    const char *text = "No service matching nosuch.method is registered";

    assert_int_equal (load_frames ("unknown-service", false, &cc, cf), 1);
    assert_int_equal (load_frames ("unknown-service", true, &bc, bf), 1);

    flux_msg_t *req = decode_frame (&cf[0]);
    check_request (req, "nosuch.method", 1);
    flux_msg_t *mine = flux_request_encode ("nosuch.method", "{\"x\": 1}");
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    flux_msg_t *rsp = decode_frame (&bf[0]);
    check_response (rsp, "nosuch.method", 1, 38);
    errno = 0;
    assert_int_equal (flux_response_decode (rsp, NULL, NULL), -1);
    assert_int_equal (errno, ENOSYS);
    assert_int_equal (flux_response_decode_error (rsp, &s), 0);
    assert_string_equal (s, text);

    mine = broker_response (req, ENOSYS);
    assert_int_equal (flux_msg_set_string (mine, text), 0);
    assert_sends_as (mine, &bf[0]);
    flux_msg_destroy (mine);

    flux_msg_destroy (req);
    flux_msg_destroy (rsp);
    free (cc.data);
    free (bc.data);
}

static void test_long_payload (void **state)
{
    (void)state;
    struct capture cc, bc;
    struct frame cf[MAX_FRAMES], bf[MAX_FRAMES];
    const char *s;
    const void *d;
    size_t len;
    int i;

    assert_int_equal (load_frames ("long-payload", false, &cc, cf), 1);
    assert_int_equal (load_frames ("long-payload", true, &bc, bf), 1);

    flux_msg_t *req = decode_frame (&cf[0]);
    check_request (req, "broker.ping", 1);
    assert_int_equal (flux_msg_get_payload (req, &d, &len), 0);
    assert_int_equal (len, 301);
    assert_non_null (memmem (cf[0].body, cf[0].len, "\xff\x00\x00\x01\x2d", 5));
    assert_int_equal (flux_request_decode (req, NULL, &s), 0);
    assert_int_equal (strlen (s), 300);
    for (i = 0; i < 300; i++)
        assert_int_equal (s[i], 'x');
    /* not a JSON object: what the broker answered EPROTO for */
    errno = 0;
    assert_int_equal (flux_request_unpack (req, NULL, "{}"), -1);
    assert_int_equal (errno, EPROTO);

    flux_msg_t *mine = flux_request_encode ("broker.ping", s);
    assert_int_equal (flux_msg_set_matchtag (mine, 1), 0);
    assert_sends_as (mine, &cf[0]);
    flux_msg_destroy (mine);

    flux_msg_t *rsp = decode_frame (&bf[0]);
    check_response (rsp, "broker.ping", 1, EPROTO);
    assert_false (flux_msg_has_payload (rsp));
    errno = 0;
    assert_int_equal (flux_response_decode_error (rsp, &s), -1);
    assert_int_equal (errno, ENOENT);

    mine = broker_response (req, EPROTO);
    assert_sends_as (mine, &bf[0]);
    flux_msg_destroy (mine);

    flux_msg_destroy (req);
    flux_msg_destroy (rsp);
    free (cc.data);
    free (bc.data);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_all_files_roundtrip),
        cmocka_unit_test (test_attr_get),
        cmocka_unit_test (test_ping_broker),
        cmocka_unit_test (test_module_list),
        cmocka_unit_test (test_logger),
        cmocka_unit_test (test_event_pub),
        cmocka_unit_test (test_unknown_service),
        cmocka_unit_test (test_long_payload),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
