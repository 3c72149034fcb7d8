/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* boot_pmi.c: the simple PMI client of a broker (see boot_pmi.h).
 *
 * The conversation, blocking (nothing else runs yet):
 *   init, get_my_kvsname, put RANK=CARD, barrier,
 *   get every card (the hostlist; the parent's and children's on the
 *   way), barrier, finalize.
 * Rank and size come from PMI_RANK and PMI_SIZE, as a simple PMI client
 * takes them.  The first barrier makes every card readable; the second
 * keeps a broker from finalizing (and the server from forgetting the
 * cards) before the others have read theirs.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "errprintf.h"
#include "pmi_wire.h"
#include "hostlist.h"
#include "attr.h"
#include "overlay.h"
#include "topology.h"
#include "tbon.h"
#include "boot_pmi.h"

struct boot_pmi {
    int fd;
    int rank;
    int size;
    char kvsname[PMI_WIRE_KVSNAME_MAX];
    char buf[PMI_WIRE_LINE_MAX + 1];   /* bytes read past the last line */
    size_t len;
};

static int env_int (const char *name, int *value)
{
    const char *s = getenv (name);
    char *end;
    long v;

    if (!s)
        return -1;
    errno = 0;
    v = strtol (s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1000000)
        return -1;
    *value = (int)v;
    return 0;
}

static int write_all (int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write (fd, s, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += n;
        len -= n;
    }
    return 0;
}

/* The next line from the server (without its newline) into 'line'. */
static int read_line (struct boot_pmi *bp, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr (bp->buf, '\n', bp->len);
        if (nl) {
            size_t n = nl - bp->buf;
            if (n >= size) {
                errno = EPROTO;
                return -1;
            }
            memcpy (line, bp->buf, n);
            line[n] = '\0';
            memmove (bp->buf, nl + 1, bp->len - n - 1);
            bp->len -= n + 1;
            return 0;
        }
        if (bp->len >= PMI_WIRE_LINE_MAX) {
            errno = EPROTO;
            return -1;
        }
        ssize_t n = read (bp->fd, bp->buf + bp->len,
                          PMI_WIRE_LINE_MAX - bp->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ECONNRESET;
            return -1;
        }
        bp->len += n;
    }
}

/* Send one request line and read its answer, whose cmd must be 'want'
 * and rc 0.  On failure the reason is in 'error'.
 */
static int call (struct boot_pmi *bp, const char *req, const char *want,
                 char *rsp, size_t size, flux_error_t *error)
{
    char cmd[64];
    int rc;

    if (write_all (bp->fd, req, strlen (req)) < 0
        || read_line (bp, rsp, size) < 0)
        return errprintf (error, "PMI %.*s: %s", (int)strcspn (req, "\n"),
                          req, strerror (errno));
    if (pmi_wire_get (rsp, "cmd", cmd, sizeof (cmd)) < 0
        || strcmp (cmd, want) != 0
        || pmi_wire_get_int (rsp, "rc", &rc) < 0) {
        errno = EPROTO;
        return errprintf (error, "PMI: unexpected answer '%s' to %.*s", rsp,
                          (int)strcspn (req, "\n"), req);
    }
    if (rc != 0) {
        errno = ENOENT;
        return errprintf (error, "PMI: %.*s failed: %s",
                          (int)strcspn (req, "\n"), req, rsp);
    }
    return 0;
}

int boot_pmi_init (struct broker *ctx, struct boot_pmi **bpp,
                   flux_error_t *error)
{
    struct boot_pmi *bp;
    char rsp[PMI_WIRE_LINE_MAX];
    int fd;

    *bpp = NULL;
    if (!getenv ("PMI_FD"))
        return 0;
    if (env_int ("PMI_FD", &fd) < 0)
        return errprintf (error, "PMI_FD=%s: not a descriptor",
                          getenv ("PMI_FD"));
    if (!(bp = calloc (1, sizeof (*bp))))
        return errprintf (error, "out of memory");
    bp->fd = fd;
    if (env_int ("PMI_RANK", &bp->rank) < 0
        || env_int ("PMI_SIZE", &bp->size) < 0
        || bp->size < 1 || bp->rank >= bp->size) {
        errprintf (error, "PMI_RANK and PMI_SIZE must name a rank of the "
                   "instance (PMI_RANK=%s PMI_SIZE=%s)",
                   getenv ("PMI_RANK") ? getenv ("PMI_RANK") : "(unset)",
                   getenv ("PMI_SIZE") ? getenv ("PMI_SIZE") : "(unset)");
        goto error;
    }
    if (call (bp, "cmd=init pmi_version=1 pmi_subversion=1\n",
              "response_to_init", rsp, sizeof (rsp), error) < 0
        || call (bp, "cmd=get_my_kvsname\n", "my_kvsname", rsp,
                 sizeof (rsp), error) < 0)
        goto error;
    if (pmi_wire_get (rsp, "kvsname", bp->kvsname, sizeof (bp->kvsname)) < 0) {
        errprintf (error, "PMI: no kvsname in '%s'", rsp);
        goto error;
    }
    if (tbon_set_rank_size (ctx, bp->rank, bp->size, error) < 0)
        goto error;
    *bpp = bp;
    return 0;
error:
    boot_pmi_destroy (bp);
    return -1;
}

/* The card of 'rank', decoded.  Caller decrefs. */
static json_t *get_card (struct boot_pmi *bp, int rank, flux_error_t *error)
{
    char req[256];
    char rsp[PMI_WIRE_LINE_MAX];
    char value[PMI_WIRE_VALLEN_MAX + 1];
    json_t *card;

    (void)snprintf (req, sizeof (req), "cmd=get kvsname=%s key=%d\n",
                    bp->kvsname, rank);
    if (call (bp, req, "get_result", rsp, sizeof (rsp), error) < 0)
        return NULL;
    if (pmi_wire_get (rsp, "value", value, sizeof (value)) < 0
        || !(card = json_loads (value, 0, NULL))
        || !json_is_object (card)) {
        errprintf (error, "PMI: the business card of rank %d does not "
                   "parse: '%s'", rank, rsp);
        return NULL;
    }
    return card;
}

static int put_card (struct broker *ctx, struct boot_pmi *bp,
                     flux_error_t *error)
{
    const char *uri = overlay_bind_uri (ctx->overlay);
    json_t *card;
    char *s = NULL;
    char req[PMI_WIRE_LINE_MAX];
    char rsp[PMI_WIRE_LINE_MAX];
    int rc = -1;

    /* N.B. flux-core's order of keys. */
    if (!(card = json_pack ("{s:s s:[] s:s}",
                            "host", attrs_get (ctx->attrs, "hostname", NULL),
                            "uri",
                            "pubkey", overlay_pubkey (ctx->overlay)))
        || (uri && json_array_append_new (json_object_get (card, "uri"),
                                          json_string (uri)) < 0)
        || !(s = json_dumps (card, JSON_COMPACT))) {
        errprintf (error, "business card: out of memory");
        goto done;
    }
    if (snprintf (req, sizeof (req), "cmd=put kvsname=%s key=%d value=%s\n",
                  bp->kvsname, bp->rank, s) >= (int)sizeof (req)) {
        errprintf (error, "business card too long for PMI");
        goto done;
    }
    rc = call (bp, req, "put_result", rsp, sizeof (rsp), error);
done:
    free (s);
    json_decref (card);
    return rc;
}

static int barrier (struct boot_pmi *bp, flux_error_t *error)
{
    char rsp[PMI_WIRE_LINE_MAX];

    return call (bp, "cmd=barrier_in\n", "barrier_out", rsp, sizeof (rsp),
                 error);
}

/* The parent's card: where to connect, and the key to expect. */
static int wire_parent (struct broker *ctx, json_t *card, int parent,
                        flux_error_t *error)
{
    const char *pubkey, *uri;

    if (json_unpack (card, "{s:s s:[s]}", "pubkey", &pubkey, "uri", &uri)
        < 0)
        return errprintf (error, "rank %d (the parent) published no "
                          "endpoint", parent);
    return overlay_set_parent (ctx->overlay, uri, pubkey, error);
}

int boot_pmi_exchange (struct broker *ctx, struct boot_pmi *bp,
                       flux_error_t *error)
{
    int parent = topology_parent (ctx->topo, bp->rank);
    json_t *hosts = NULL;
    char *hostlist = NULL;
    int rc = -1;

    if (overlay_bind (ctx->overlay, NULL, error) < 0
        || put_card (ctx, bp, error) < 0 || barrier (bp, error) < 0)
        return -1;
    if (!(hosts = json_array ())) {
        errprintf (error, "out of memory");
        goto done;
    }
    /* Every card, for the hostlist; the parent's endpoint and key, and
     * the children's keys, on the way.
     */
    for (int r = 0; r < bp->size; r++) {
        json_t *card;
        const char *host, *pubkey;
        if (!(card = get_card (bp, r, error)))
            goto done;
        if (json_unpack (card, "{s:s s:s}", "host", &host, "pubkey", &pubkey)
            < 0) {
            json_decref (card);
            errprintf (error, "the business card of rank %d has no host "
                       "or pubkey", r);
            goto done;
        }
        if ((r == parent && wire_parent (ctx, card, parent, error) < 0)
            || (topology_parent (ctx->topo, r) == bp->rank
                && overlay_authorize (ctx->overlay, r, pubkey, error) < 0)) {
            json_decref (card);
            goto done;
        }
        if (json_array_append_new (hosts, json_string (host)) < 0) {
            json_decref (card);
            errprintf (error, "out of memory");
            goto done;
        }
        json_decref (card);
    }
    if (!(hostlist = hostlist_encode (hosts))
        || attrs_set_internal (ctx->attrs, "hostlist", hostlist) < 0) {
        errprintf (error, "hostlist: %s", strerror (errno));
        goto done;
    }
    if (barrier (bp, error) < 0)
        goto done;
    rc = 0;
done:
    free (hostlist);
    json_decref (hosts);
    return rc;
}

void boot_pmi_destroy (struct boot_pmi *bp)
{
    if (bp) {
        int saved_errno = errno;
        char rsp[PMI_WIRE_LINE_MAX];
        if (bp->kvsname[0] != '\0')
            (void)call (bp, "cmd=finalize\n", "finalize_ack", rsp,
                        sizeof (rsp), NULL);
        close (bp->fd);
        free (bp);
        errno = saved_errno;
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
