/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for the clients of broker services: logging (flog.c) first,
 * then attributes, events and dynamic services, which talk to the broker
 * the same way.
 *
 * Log lines are checked against flux-core's own (the logger wire vector).
 * What a client sends is checked on the far end of an interthread pair;
 * RPCs are answered by a small fake broker on a thread, which serves just
 * enough of log, attr, event and service to see what the client asked.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"

/* The wire vectors */

struct frame {
    uint8_t *data;
    size_t len;
};

/* Read the frames of a vector file; returns how many were found. */
static int read_vector (const char *name, struct frame *frames, int max)
{
    const char *dir = getenv ("FLUX_VECTORS_DIR");
    char path[4096];
    uint8_t buf[65536];
    size_t size, off = 0;
    FILE *fp;
    int n = 0;

    if (!dir)
        fail_msg ("FLUX_VECTORS_DIR is not set");
    snprintf (path, sizeof (path), "%s/%s", dir, name);
    if (!(fp = fopen (path, "r")))
        fail_msg ("cannot open %s: %s", path, strerror (errno));
    size = fread (buf, 1, sizeof (buf), fp);
    fclose (fp);
    while (off + 8 <= size && n < max) {
        size_t len = ((size_t)buf[off + 4] << 24) | (buf[off + 5] << 16)
                     | (buf[off + 6] << 8) | buf[off + 7];
        assert_memory_equal (buf + off, "\x12\x00\xee\xff", 4);
        assert_true (off + 8 + len <= size);
        frames[n].data = malloc (len);
        assert_non_null (frames[n].data);
        memcpy (frames[n].data, buf + off + 8, len);
        frames[n].len = len;
        n++;
        off += 8 + len;
    }
    return n;
}

static void free_frames (struct frame *frames, int n)
{
    for (int i = 0; i < n; i++)
        free (frames[i].data);
}

/* The encoded log.append message from flux-core's "flux logger". */
static flux_msg_t *logger_vector_msg (struct frame *f)
{
    struct frame frames[4];
    int n = read_vector ("logger.client-to-broker.bin", frames, 4);
    flux_msg_t *msg = NULL;

    for (int i = 0; i < n; i++) {
        flux_msg_t *m = flux_msg_decode (frames[i].data, frames[i].len);
        const char *topic;
        assert_non_null (m);
        if (!msg && flux_msg_get_topic (m, &topic) == 0
            && !strcmp (topic, "log.append")) {
            msg = m;
            f->data = frames[i].data;
            f->len = frames[i].len;
            frames[i].data = NULL;
        }
        else
            flux_msg_destroy (m);
    }
    free_frames (frames, n);
    assert_non_null (msg);
    return msg;
}

/* Severity names */

static void test_severity (void **state)
{
    static const char *names[] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
    };
    (void)state;
    for (int i = 0; i < 8; i++) {
        assert_string_equal (flux_log_severity_tostr (i), names[i]);
        assert_int_equal (flux_log_severity_fromstr (names[i]), i);
    }
    assert_int_equal (LOG_INFO, 6);
    assert_int_equal (flux_log_severity_fromstr ("critical"), LOG_CRIT);
    assert_int_equal (flux_log_severity_fromstr ("error"), LOG_ERR);
    assert_int_equal (flux_log_severity_fromstr ("warn"), LOG_WARNING);
    assert_int_equal (flux_log_severity_fromstr ("INFO"), LOG_INFO);

    errno = 0;
    assert_null (flux_log_severity_tostr (-1));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_log_severity_tostr (8));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_severity_fromstr ("loud"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_severity_fromstr (""), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_severity_fromstr (NULL), -1);
    assert_int_equal (errno, EINVAL);
}

/* Encode and decode */

static void test_encode (void **state)
{
    char buf[256];
    char small[12];
    int n;
    (void)state;

    n = flux_log_encode (buf, sizeof (buf), LOG_ERR,
                         "2026-01-02T03:04:05.123456Z", "0", "app", "42",
                         "it broke");
    assert_string_equal (buf,
        "<24>1 2026-01-02T03:04:05.123456Z 0 app 42 - - it broke");
    assert_int_equal (n, strlen (buf));

    /* missing fields are RFC 5424 NILVALUEs */
    n = flux_log_encode (buf, sizeof (buf), LOG_DEBUG, NULL, "", NULL, NULL,
                         NULL);
    assert_string_equal (buf, "<56>1 - - - - - - ");
    assert_int_equal (n, strlen (buf));

    /* truncation: size - 1 bytes and a NUL */
    n = flux_log_encode (small, sizeof (small), LOG_INFO, "t", "h", "a", "p",
                         "message");
    assert_int_equal (n, sizeof (small) - 1);
    assert_string_equal (small, "<48>1 t h a");

    errno = 0;
    assert_int_equal (flux_log_encode (NULL, 10, LOG_INFO, "t", "h", "a",
                                       "p", "m"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_encode (buf, 0, LOG_INFO, "t", "h", "a",
                                       "p", "m"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_encode (buf, sizeof (buf), 8, "t", "h", "a",
                                       "p", "m"), -1);
    assert_int_equal (errno, EINVAL);
}

static void test_decode (void **state)
{
    struct flux_log_entry e;
    const char *line = "<40>1 2026-01-02T03:04:05.000001Z 3 kvs 77 - - a b  c";
    char buf[128];
    int n;
    (void)state;

    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.severity, LOG_NOTICE);
    assert_string_equal (e.timestamp, "2026-01-02T03:04:05.000001Z");
    assert_string_equal (e.hostname, "3");
    assert_string_equal (e.appname, "kvs");
    assert_string_equal (e.procid, "77");
    assert_int_equal (e.msglen, 6);
    assert_memory_equal (e.msg, "a b  c", 6);
    assert_ptr_equal (e.msg, line + strlen (line) - 6);

    /* round trip through encode for every severity */
    for (int sev = 0; sev < 8; sev++) {
        n = flux_log_encode (buf, sizeof (buf), sev, "T", "0", "app", "1",
                             "msg text");
        assert_true (n > 0);
        assert_int_equal (flux_log_decode (buf, n, &e), 0);
        assert_int_equal (e.severity, sev);
        assert_int_equal (e.msglen, 8);
        assert_memory_equal (e.msg, "msg text", 8);
    }

    /* no MSG at all, and an empty MSG */
    line = "<48>1 T 0 app 1 - -";
    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.msglen, 0);
    line = "<48>1 T 0 app 1 - - ";
    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.msglen, 0);

    /* structured data with spaces and an escaped bracket */
    line = "<48>1 T 0 app 1 ID [x a=\"b c\\]\"][y] hi";
    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.msglen, 2);
    assert_memory_equal (e.msg, "hi", 2);

    /* a trailing NUL a sender left in is not part of the message */
    assert_int_equal (flux_log_decode ("<48>1 T 0 a 1 - - hi", 21, &e), 0);
    assert_int_equal (e.msglen, 2);

    /* a standard facility-encoded PRI still yields a valid severity */
    line = "<14>1 T 0 app 1 - - x";
    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.severity, 1);
    line = "<191>1 T 0 app 1 - - x";
    assert_int_equal (flux_log_decode (line, strlen (line), &e), 0);
    assert_int_equal (e.severity, LOG_DEBUG);

    /* over-long fields are truncated, not overflowed */
    char longline[512];
    snprintf (longline, sizeof (longline), "<48>1 T 0 %0200d 1 - - x", 0);
    assert_int_equal (flux_log_decode (longline, strlen (longline), &e), 0);
    assert_int_equal (strlen (e.appname), sizeof (e.appname) - 1);
    assert_int_equal (e.msglen, 1);
}

static void test_decode_garbage (void **state)
{
    static const char *bad[] = {
        "",
        "hello world",
        "<",
        "<48",
        "<48>",
        "<>1 T 0 app 1 - - x",
        "<x>1 T 0 app 1 - - x",
        "<1234>1 T 0 app 1 - - x",
        "<192>1 T 0 app 1 - - x",
        "<48>2 T 0 app 1 - - x",
        "<48>1",
        "<48>1 ",
        "<48>1 T",
        "<48>1 T 0 app",
        "<48>1 T 0 app 1",
        "<48>1 T 0 app 1 -",
        "<48>1  0 app 1 - - x",
        "<48>1 T 0 app 1 - [unterminated",
        "<48>1 T 0 app 1 - [a]x rest",
        "48>1 T 0 app 1 - - x",
    };
    struct flux_log_entry e;
    (void)state;

    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        errno = 0;
        if (flux_log_decode (bad[i], strlen (bad[i]), &e) != -1
            || errno != EPROTO)
            fail_msg ("decode accepted '%s'", bad[i]);
    }
    /* the length is honoured: a valid line cut short is garbage */
    errno = 0;
    assert_int_equal (flux_log_decode ("<48>1 T 0 app 1 - - x", 9, &e), -1);
    assert_int_equal (errno, EPROTO);
    /* binary junk */
    unsigned char junk[64];
    for (size_t i = 0; i < sizeof (junk); i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    errno = 0;
    assert_int_equal (flux_log_decode ((char *)junk, sizeof (junk), &e), -1);
    assert_int_equal (errno, EPROTO);

    errno = 0;
    assert_int_equal (flux_log_decode (NULL, 0, &e), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_log_decode ("x", 1, NULL), -1);
    assert_int_equal (errno, EINVAL);
}

/* flux-core's own log line decodes, and re-encoding its fields gives it
 * back byte for byte, in a message that encodes to the captured bytes.
 */
static void test_logger_vector (void **state)
{
    struct frame f = { 0 };
    flux_msg_t *msg = logger_vector_msg (&f);
    struct flux_log_entry e;
    const void *data;
    size_t len;
    char buf[FLUX_MAX_LOGBUF];
    char text[64];
    uint8_t flags;
    uint32_t nodeid, matchtag;
    int n;
    (void)state;

    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD
                             | FLUX_MSGFLAG_ROUTE);
    assert_int_equal (flux_msg_get_nodeid (msg, &nodeid), 0);
    assert_int_equal (nodeid, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_matchtag (msg, &matchtag), 0);
    assert_int_equal (matchtag, FLUX_MATCHTAG_NONE);

    assert_int_equal (flux_msg_get_payload (msg, &data, &len), 0);
    assert_int_equal (flux_log_decode (data, len, &e), 0);
    assert_int_equal (e.severity, LOG_INFO);
    assert_string_equal (e.timestamp, "2026-11-27T22:41:55.023890Z");
    assert_string_equal (e.hostname, "0");
    assert_string_equal (e.appname, "logger");
    assert_string_equal (e.procid, "1550");
    snprintf (text, sizeof (text), "%.*s", (int)e.msglen, e.msg);
    assert_string_equal (text, "vector-hello");

    n = flux_log_encode (buf, sizeof (buf), e.severity, e.timestamp,
                         e.hostname, e.appname, e.procid, text);
    assert_int_equal (n, len);
    assert_memory_equal (buf, data, len);

    /* the request flux_log builds from that line is the captured one */
    flux_msg_t *req = flux_request_encode_raw ("log.append", buf, n);
    assert_non_null (req);
    assert_int_equal (flux_msg_encode_size (req), f.len);
    uint8_t *enc = malloc (f.len);
    assert_non_null (enc);
    assert_int_equal (flux_msg_encode (req, enc, f.len), 0);
    assert_memory_equal (enc, f.data, f.len);

    free (enc);
    flux_msg_destroy (req);
    flux_msg_destroy (msg);
    free (f.data);
}

/* flux_log through a handle: what arrives at the other end */

static flux_msg_t *recv_log (flux_t *h, struct flux_log_entry *e,
                             char *text, size_t size)
{
    flux_msg_t *msg;
    const char *topic;
    const void *data;
    size_t len;

    msg = flux_recv (h, FLUX_MATCH_REQUEST, FLUX_O_NONBLOCK);
    if (!msg)
        return NULL;
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "log.append");
    assert_int_equal (flux_msg_get_payload (msg, &data, &len), 0);
    /* raw: no trailing NUL */
    assert_true (len > 0);
    assert_int_not_equal (((const char *)data)[len - 1], '\0');
    assert_int_equal (flux_log_decode (data, len, e), 0);
    snprintf (text, size, "%.*s", (int)e->msglen, e->msg);
    return msg;
}

static void call_llog (flux_t *h, int level, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    flux_llog (h, "file.c", 12, "func", "subsys", level, fmt, ap);
    va_end (ap);
}

static void test_log_handle (void **state)
{
    flux_t *h1, *h2;
    flux_msg_t *msg;
    struct flux_log_entry e;
    char text[8192];
    char pid[32];
    uint8_t flags;
    uint32_t nodeid, matchtag;
    (void)state;

    h1 = flux_open ("interthread://flogtest-log", 0);
    h2 = flux_open ("interthread://flogtest-log", 0);
    assert_non_null (h1);
    assert_non_null (h2);
    /* as a module's welcome does, so no attr.get RPC is needed */
    assert_int_equal (flux_attr_set_cacheonly (h1, "rank", "0"), 0);

    assert_string_equal (flux_log_get_appname (h1),
                         program_invocation_short_name);
    flux_log_set_appname (h1, "flogtest");
    assert_string_equal (flux_log_get_appname (h1), "flogtest");

    errno = 1234;
    assert_int_equal (flux_log (h1, LOG_INFO, "hello %d", 42), 0);
    assert_int_equal (errno, 1234);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags & ~FLUX_MSGFLAG_UPSTREAM,
                      FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD
                      | FLUX_MSGFLAG_ROUTE);
    assert_false (flux_msg_is_noresponse (msg));
    assert_int_equal (flux_msg_get_nodeid (msg, &nodeid), 0);
    assert_int_equal (nodeid, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_matchtag (msg, &matchtag), 0);
    assert_int_equal (matchtag, FLUX_MATCHTAG_NONE);
    flux_msg_destroy (msg);
    assert_int_equal (e.severity, LOG_INFO);
    assert_string_equal (e.hostname, "0");
    assert_string_equal (e.appname, "flogtest");
    snprintf (pid, sizeof (pid), "%d", (int)getpid ());
    assert_string_equal (e.procid, pid);
    assert_string_equal (text, "hello 42");
    /* 2026-01-02T03:04:05.123456Z */
    assert_int_equal (strlen (e.timestamp), 27);
    assert_int_equal (e.timestamp[4], '-');
    assert_int_equal (e.timestamp[10], 'T');
    assert_int_equal (e.timestamp[19], '.');
    assert_int_equal (e.timestamp[26], 'Z');

    /* facility bits in the level are ignored */
    assert_int_equal (flux_log (h1, LOG_USER | LOG_WARNING, "w"), 0);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_int_equal (e.severity, LOG_WARNING);

    /* multi-line: one entry per non-empty line */
    assert_int_equal (flux_log (h1, LOG_ERR, "one\ntwo\n\nthree\n"), 0);
    static const char *lines[] = { "one", "two", "three" };
    for (int i = 0; i < 3; i++) {
        assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
        flux_msg_destroy (msg);
        assert_int_equal (e.severity, LOG_ERR);
        assert_string_equal (text, lines[i]);
    }
    assert_null (recv_log (h2, &e, text, sizeof (text)));

    /* an empty message is still one entry */
    assert_int_equal (flux_log (h1, LOG_INFO, "%s", ""), 0);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_int_equal (e.msglen, 0);
    assert_null (recv_log (h2, &e, text, sizeof (text)));

    /* longer than FLUX_MAX_LOGBUF: sent whole (heap buffers) */
    char *big = malloc (5001);
    assert_non_null (big);
    memset (big, 'x', 5000);
    big[5000] = '\0';
    assert_int_equal (flux_log (h1, LOG_DEBUG, "%s", big), 0);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_int_equal (e.msglen, 5000);
    assert_string_equal (text, big);
    free (big);

    /* flux_log_error appends strerror and preserves errno */
    errno = ENOENT;
    flux_log_error (h1, "open %s", "/x");
    assert_int_equal (errno, ENOENT);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_int_equal (e.severity, LOG_ERR);
    assert_string_equal (text, "open /x: No such file or directory");

    /* procid override */
    flux_log_set_procid (h1, "myproc");
    assert_int_equal (flux_log (h1, LOG_INFO, "p"), 0);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_string_equal (e.procid, "myproc");

    /* flux_llog: the llog-shaped adapter logs to the handle */
    call_llog (h1, LOG_NOTICE, "via llog %d", 7);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_int_equal (e.severity, LOG_NOTICE);
    assert_string_equal (text, "via llog 7");

    errno = 0;
    assert_int_equal (flux_log (h1, LOG_INFO, NULL), -1);
    assert_int_equal (errno, EINVAL);

    flux_close (h1);
    flux_close (h2);
}

struct redirected {
    int count;
    char line[FLUX_MAX_LOGBUF];
};

static void redirect_cb (const char *buf, int len, void *arg)
{
    struct redirected *r = arg;

    r->count++;
    assert_true (len > 0 && len < (int)sizeof (r->line));
    memcpy (r->line, buf, len);
    r->line[len] = '\0';
}

/* flux_log_set_redirect: each line to the function, no request sent;
 * NULL restores the request. */
static void test_log_redirect (void **state)
{
    struct redirected r = { 0 };
    struct flux_log_entry e;
    flux_msg_t *msg;
    flux_t *h1, *h2;
    char text[256];
    (void)state;

    assert_non_null ((h1 = flux_open ("interthread://flogtest-redir", 0)));
    assert_non_null ((h2 = flux_open ("interthread://flogtest-redir", 0)));
    assert_int_equal (flux_attr_set_cacheonly (h1, "rank", "3"), 0);
    flux_log_set_appname (h1, "redir");
    flux_log_set_redirect (h1, redirect_cb, &r);

    assert_int_equal (flux_log (h1, LOG_WARNING, "one\ntwo"), 0);
    assert_int_equal (r.count, 2);
    assert_int_equal (flux_log_decode (r.line, strlen (r.line), &e), 0);
    assert_int_equal (e.severity, LOG_WARNING);
    assert_string_equal (e.hostname, "3");
    assert_string_equal (e.appname, "redir");
    assert_int_equal (e.msglen, 3);
    assert_memory_equal (e.msg, "two", 3);
    assert_null (recv_log (h2, &e, text, sizeof (text)));

    flux_log_set_redirect (h1, NULL, NULL);
    assert_int_equal (flux_log (h1, LOG_INFO, "sent"), 0);
    assert_int_equal (r.count, 2);
    assert_non_null ((msg = recv_log (h2, &e, text, sizeof (text))));
    flux_msg_destroy (msg);
    assert_string_equal (text, "sent");

    flux_close (h1);
    flux_close (h2);
}

/* Without a handle the line goes to stderr. */
static void test_log_stderr (void **state)
{
    char path[] = "/tmp/flogtest.XXXXXX";
    char buf[256] = "";
    char expect[256];
    int fd, saved;
    ssize_t n;
    (void)state;

    fd = mkstemp (path);
    assert_true (fd >= 0);
    unlink (path);
    fflush (stderr);
    saved = dup (STDERR_FILENO);
    assert_int_equal (dup2 (fd, STDERR_FILENO), STDERR_FILENO);
    errno = 99;
    int rc = flux_log (NULL, LOG_NOTICE, "to %s", "stderr");
    int e = errno;
    fflush (stderr);
    dup2 (saved, STDERR_FILENO);
    close (saved);
    assert_int_equal (rc, 0);
    assert_int_equal (e, 99);
    n = pread (fd, buf, sizeof (buf) - 1, 0);
    close (fd);
    assert_true (n > 0);
    snprintf (expect, sizeof (expect), "%s: notice: to stderr\n",
              program_invocation_short_name);
    assert_string_equal (buf, expect);
}

/* A fake broker on a thread, for the RPC clients. */

struct server {
    flux_t *h;
    pthread_t t;
    int attr_get_count;
    int seq;
    char last[256];     /* last attr.set/rm, (un)subscribe, service op */
};

static void *server_thread (void *arg)
{
    struct server *srv = arg;
    flux_t *h = srv->h;
    flux_msg_t *msg;

    while ((msg = flux_recv (h, FLUX_MATCH_REQUEST, 0))) {
        const char *topic;
        const char *name = NULL, *value = NULL, *payload = NULL;
        int flags = 0;
        int rc = 0;

        if (flux_msg_get_topic (msg, &topic) < 0)
            goto next;
        if (!strcmp (topic, "test.quit")) {
            flux_respond (h, msg, NULL);
            flux_msg_destroy (msg);
            break;
        }
        else if (!strcmp (topic, "test.stats")) {
            rc = flux_respond_pack (h, msg, "{s:i s:s}",
                                    "attr_get", srv->attr_get_count,
                                    "last", srv->last);
        }
        else if (!strcmp (topic, "attr.get")) {
            srv->attr_get_count++;
            if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else if (!strcmp (name, "rank"))
                rc = flux_respond_pack (h, msg, "{s:s s:i}",
                                        "value", "0",
                                        "flags", FLUX_ATTRFLAG_IMMUTABLE);
            else if (!strcmp (name, "mutable")) {
                char v[32];
                snprintf (v, sizeof (v), "v%d", srv->attr_get_count);
                rc = flux_respond_pack (h, msg, "{s:s s:i}",
                                        "value", v, "flags", 0);
            }
            else
                rc = flux_respond_error (h, msg, ENOENT, NULL);
        }
        else if (!strcmp (topic, "attr.set")) {
            if (flux_request_unpack (msg, NULL, "{s:s s:s}",
                                     "name", &name, "value", &value) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else if (!strcmp (name, "bad"))
                rc = flux_respond_error (h, msg, EINVAL,
                                         "unknown attribute");
            else {
                snprintf (srv->last, sizeof (srv->last), "set %s=%s",
                          name, value);
                rc = flux_respond (h, msg, NULL);
            }
        }
        else if (!strcmp (topic, "attr.rm")) {
            if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else {
                snprintf (srv->last, sizeof (srv->last), "rm %s", name);
                rc = flux_respond (h, msg, NULL);
            }
        }
        else if (!strcmp (topic, "event.subscribe")
                 || !strcmp (topic, "event.unsubscribe")) {
            if (flux_request_unpack (msg, NULL, "{s:s}", "topic", &name) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else if (!strcmp (name, "deny"))
                rc = flux_respond_error (h, msg, EPERM, NULL);
            else {
                snprintf (srv->last, sizeof (srv->last), "%s '%s'",
                          topic, name);
                rc = flux_respond (h, msg, NULL);
            }
        }
        else if (!strcmp (topic, "event.publish")) {
            if (flux_request_unpack (msg, NULL, "{s:s s:i s?s}",
                                     "topic", &name,
                                     "flags", &flags,
                                     "payload", &payload) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else
                rc = flux_respond_pack (h, msg, "{s:i s:s s:i s:s}",
                                        "seq", ++srv->seq,
                                        "topic", name,
                                        "flags", flags,
                                        "payload", payload ? payload
                                                           : "(none)");
        }
        else if (!strcmp (topic, "service.add")
                 || !strcmp (topic, "service.remove")) {
            if (flux_request_unpack (msg, NULL, "{s:s}",
                                     "service", &name) < 0)
                rc = flux_respond_error (h, msg, EPROTO, NULL);
            else if (!strcmp (topic, "service.add") && !strcmp (name, "dup"))
                rc = flux_respond_error (h, msg, EEXIST, NULL);
            else if (!strcmp (topic, "service.remove")
                     && !strcmp (name, "nosuch"))
                rc = flux_respond_error (h, msg, ENOENT,
                                         "nosuch is not registered");
            else {
                snprintf (srv->last, sizeof (srv->last), "%s '%s'",
                          topic, name);
                rc = flux_respond (h, msg, NULL);
            }
        }
        else
            rc = flux_respond_error (h, msg, ENOSYS, NULL);
        if (rc < 0)
            fprintf (stderr, "# server: respond to %s failed: %s\n",
                     topic, strerror (errno));
next:
        flux_msg_destroy (msg);
    }
    return NULL;
}

static flux_t *server_start (struct server *srv, const char *uri)
{
    flux_t *h;

    memset (srv, 0, sizeof (*srv));
    h = flux_open (uri, 0);
    assert_non_null (h);
    srv->h = flux_open (uri, 0);
    assert_non_null (srv->h);
    assert_int_equal (pthread_create (&srv->t, NULL, server_thread, srv), 0);
    return h;
}

static void server_stats (flux_t *h, int *attr_get, char *last, size_t size)
{
    flux_future_t *f;
    const char *s;
    int n;

    f = flux_rpc (h, "test.stats", NULL, FLUX_NODEID_ANY, 0);
    assert_non_null (f);
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i s:s}",
                                           "attr_get", &n, "last", &s), 0);
    if (attr_get)
        *attr_get = n;
    if (last)
        snprintf (last, size, "%s", s);
    flux_future_destroy (f);
}

static void server_stop (struct server *srv, flux_t *h)
{
    flux_future_t *f = flux_rpc (h, "test.quit", NULL, FLUX_NODEID_ANY, 0);
    assert_non_null (f);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_int_equal (pthread_join (srv->t, NULL), 0);
    flux_close (srv->h);
    flux_close (h);
}

static void test_attr (void **state)
{
    struct server srv;
    flux_t *h = server_start (&srv, "interthread://flogtest-attr");
    const char *v1, *v2;
    char last[256];
    int count;
    (void)state;

    errno = 0;
    assert_null (flux_attr_get (NULL, "rank"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_attr_get (h, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_attr_set (h, NULL, "x"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_attr_set_cacheonly (NULL, "x", "y"), -1);
    assert_int_equal (errno, EINVAL);

    /* immutable: one RPC, then cached (same string) */
    v1 = flux_attr_get (h, "rank");
    assert_non_null (v1);
    assert_string_equal (v1, "0");
    v2 = flux_attr_get (h, "rank");
    assert_ptr_equal (v1, v2);
    server_stats (h, &count, NULL, 0);
    assert_int_equal (count, 1);

    /* flux_get_rank uses it */
    uint32_t rank = 99;
    assert_int_equal (flux_get_rank (h, &rank), 0);
    assert_int_equal (rank, 0);

    /* mutable: an RPC every time; earlier strings stay valid */
    v1 = flux_attr_get (h, "mutable");
    assert_non_null (v1);
    assert_string_equal (v1, "v2");
    v2 = flux_attr_get (h, "mutable");
    assert_non_null (v2);
    assert_string_equal (v2, "v3");
    assert_string_equal (v1, "v2");

    /* unknown: ENOENT from the broker */
    errno = 0;
    assert_null (flux_attr_get (h, "nosuch"));
    assert_int_equal (errno, ENOENT);

    /* cache only: no RPC; removal sends the next get to the broker */
    assert_int_equal (flux_attr_set_cacheonly (h, "cached", "x"), 0);
    server_stats (h, &count, NULL, 0);
    v1 = flux_attr_get (h, "cached");
    assert_non_null (v1);
    assert_string_equal (v1, "x");
    assert_int_equal (flux_attr_set_cacheonly (h, "cached", "y"), 0);
    assert_string_equal (flux_attr_get (h, "cached"), "y");
    assert_string_equal (v1, "x"); /* still valid */
    int count2;
    server_stats (h, &count2, NULL, 0);
    assert_int_equal (count2, count); /* no attr.get meanwhile */
    assert_int_equal (flux_attr_set_cacheonly (h, "cached", NULL), 0);
    errno = 0;
    assert_null (flux_attr_get (h, "cached"));
    assert_int_equal (errno, ENOENT);

    /* set and remove */
    assert_int_equal (flux_attr_set (h, "test.foo", "bar"), 0);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "set test.foo=bar");
    assert_int_equal (flux_attr_set (h, "test.foo", NULL), 0);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "rm test.foo");
    errno = 0;
    assert_int_equal (flux_attr_set (h, "bad", "x"), -1);
    assert_int_equal (errno, EINVAL);

    server_stop (&srv, h);
}

static void test_event_codec (void **state)
{
    flux_msg_t *msg;
    const char *topic, *s;
    const void *data;
    size_t len;
    uint8_t flags;
    int type, a;
    (void)state;

    /* flux-core's captured event encodes to the same bytes */
    struct frame frames[2];
    int n = read_vector ("event-pub.client-to-broker.bin", frames, 2);
    assert_int_equal (n, 1);
    msg = flux_event_encode ("vector.topic", "{\"a\":1}");
    assert_non_null (msg);
    assert_int_equal (flux_msg_encode_size (msg), frames[0].len);
    uint8_t *enc = malloc (frames[0].len);
    assert_non_null (enc);
    assert_int_equal (flux_msg_encode (msg, enc, frames[0].len), 0);
    assert_memory_equal (enc, frames[0].data, frames[0].len);
    free (enc);
    free_frames (frames, n);

    assert_int_equal (flux_msg_get_type (msg, &type), 0);
    assert_int_equal (type, FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, 0x0b);
    assert_int_equal (flux_event_decode (msg, &topic, &s), 0);
    assert_string_equal (topic, "vector.topic");
    assert_string_equal (s, "{\"a\":1}");
    assert_int_equal (flux_event_unpack (msg, &topic, "{s:i}", "a", &a), 0);
    assert_int_equal (a, 1);
    assert_int_equal (flux_event_decode_raw (msg, NULL, &data, &len), 0);
    assert_int_equal (len, 8); /* with the NUL */
    flux_msg_destroy (msg);

    /* no payload */
    msg = flux_event_encode ("t", NULL);
    assert_non_null (msg);
    s = "x";
    assert_int_equal (flux_event_decode (msg, &topic, &s), 0);
    assert_null (s);
    data = "x";
    assert_int_equal (flux_event_decode_raw (msg, &topic, &data, &len), 0);
    assert_null (data);
    assert_int_equal (len, 0);
    flux_msg_destroy (msg);

    /* raw and pack */
    msg = flux_event_encode_raw ("r", "\0\1\2", 3);
    assert_non_null (msg);
    assert_int_equal (flux_event_decode_raw (msg, &topic, &data, &len), 0);
    assert_string_equal (topic, "r");
    assert_int_equal (len, 3);
    assert_memory_equal (data, "\0\1\2", 3);
    errno = 0;
    assert_int_equal (flux_event_decode (msg, &topic, &s), -1);
    assert_int_equal (errno, EPROTO); /* not a string */
    flux_msg_destroy (msg);
    msg = flux_event_pack ("p", "{s:s}", "k", "v");
    assert_non_null (msg);
    assert_int_equal (flux_event_unpack (msg, NULL, "{s:s}", "k", &s), 0);
    assert_string_equal (s, "v");
    flux_msg_destroy (msg);

    /* a request is not an event */
    msg = flux_request_encode ("t", NULL);
    errno = 0;
    assert_int_equal (flux_event_decode (msg, &topic, NULL), -1);
    assert_int_equal (errno, EPROTO);
    errno = 0;
    assert_int_equal (flux_event_decode_raw (msg, &topic, NULL, NULL), -1);
    assert_int_equal (errno, EPROTO);
    flux_msg_destroy (msg);

    errno = 0;
    assert_null (flux_event_encode (NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_event_encode ("", NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_event_encode_raw ("t", NULL, 3));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_event_decode (NULL, NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
}

static void check_publish (flux_future_t *f, int seq, const char *topic,
                           int flags, const char *payload)
{
    const char *t, *p;
    int s, fl;

    assert_non_null (f);
    assert_int_equal (flux_event_publish_get_seq (f, &s), 0);
    assert_int_equal (s, seq);
    assert_int_equal (flux_rpc_get_unpack (f, "{s:s s:i s:s}",
                                           "topic", &t,
                                           "flags", &fl,
                                           "payload", &p), 0);
    assert_string_equal (t, topic);
    assert_int_equal (fl, flags);
    assert_string_equal (p, payload);
    flux_future_destroy (f);
}

static void test_event_rpc (void **state)
{
    struct server srv;
    flux_t *h = server_start (&srv, "interthread://flogtest-event");
    char last[256];
    (void)state;

    assert_int_equal (flux_event_subscribe (h, "foo."), 0);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "event.subscribe 'foo.'");
    assert_int_equal (flux_event_subscribe (h, ""), 0);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "event.subscribe ''");
    assert_int_equal (flux_event_unsubscribe (h, "foo."), 0);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "event.unsubscribe 'foo.'");
    errno = 0;
    assert_int_equal (flux_event_subscribe (h, "deny"), -1);
    assert_int_equal (errno, EPERM);
    errno = 0;
    assert_int_equal (flux_event_subscribe (h, NULL), -1);
    assert_int_equal (errno, EINVAL);

    /* payloads travel as base64 of the raw bytes (strings with NUL) */
    check_publish (flux_event_publish (h, "a.b", 0, "{\"a\":1}"),
                   1, "a.b", 0, "eyJhIjoxfQA=");
    check_publish (flux_event_publish (h, "a.b", FLUX_EVENT_PRIVATE, NULL),
                   2, "a.b", FLUX_EVENT_PRIVATE, "(none)");
    check_publish (flux_event_publish_raw (h, "r", 0, "a", 1),
                   3, "r", 0, "YQ==");
    check_publish (flux_event_publish_raw (h, "r", 0, "ab", 2),
                   4, "r", 0, "YWI=");
    check_publish (flux_event_publish_raw (h, "r", 0, "abc", 3),
                   5, "r", 0, "YWJj");
    check_publish (flux_event_publish_raw (h, "r", 0, "\xff\xfe\x00\x01", 4),
                   6, "r", 0, "//4AAQ==");
    check_publish (flux_event_publish_raw (h, "r", 0, "", 0),
                   7, "r", 0, "");
    check_publish (flux_event_publish_pack (h, "p", 0, "{s:i}", "x", 2),
                   8, "p", 0, "eyJ4IjoyfQA=");

    errno = 0;
    assert_null (flux_event_publish (h, "t", 0x10, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_event_publish (h, NULL, 0, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_event_publish_raw (h, "t", 0, NULL, 2));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_event_publish_get_seq (NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);

    server_stop (&srv, h);
}

static void test_service (void **state)
{
    struct server srv;
    flux_t *h = server_start (&srv, "interthread://flogtest-service");
    flux_future_t *f;
    char last[256];
    (void)state;

    f = flux_service_register (h, "svc");
    assert_non_null (f);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "service.add 'svc'");

    f = flux_service_register (h, "dup");
    assert_non_null (f);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EEXIST);
    flux_future_destroy (f);

    f = flux_service_unregister (h, "svc");
    assert_non_null (f);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);
    server_stats (h, NULL, last, sizeof (last));
    assert_string_equal (last, "service.remove 'svc'");

    f = flux_service_unregister (h, "nosuch");
    assert_non_null (f);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, ENOENT);
    assert_string_equal (flux_future_error_string (f),
                         "nosuch is not registered");
    flux_future_destroy (f);

    errno = 0;
    assert_null (flux_service_register (h, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_service_unregister (NULL, "x"));
    assert_int_equal (errno, EINVAL);

    server_stop (&srv, h);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_severity),
        cmocka_unit_test (test_encode),
        cmocka_unit_test (test_decode),
        cmocka_unit_test (test_decode_garbage),
        cmocka_unit_test (test_logger_vector),
        cmocka_unit_test (test_log_handle),
        cmocka_unit_test (test_log_redirect),
        cmocka_unit_test (test_log_stderr),
        cmocka_unit_test (test_attr),
        cmocka_unit_test (test_event_codec),
        cmocka_unit_test (test_event_rpc),
        cmocka_unit_test (test_service),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
