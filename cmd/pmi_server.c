/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* pmi_server.c: simple PMI-1 for the brokers of flux start (see
 * pmi_server.h and libutil/pmi_wire.h for the lines).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pmi_wire.h"
#include "pmi_server.h"

#define KVSNAME "-"  /* as flux-core's flux start names it */

struct client {
    int fd;             /* the server's end */
    int client_fd;      /* the broker's end, until the broker has it */
    char buf[PMI_WIRE_LINE_MAX];
    size_t len;
    bool in_barrier;
};

struct kv {
    char *key;
    char *value;
    struct kv *next;
};

struct pmi_server {
    int size;
    struct client *clients;
    struct kv *kvs;
    int barrier_count;
};

static int kv_put (struct pmi_server *ps, const char *key,
                   const char *value);

struct pmi_server *pmi_server_create (int size)
{
    struct pmi_server *ps;

    if (size < 1 || !(ps = calloc (1, sizeof (*ps))))
        return NULL;
    ps->size = size;
    if (!(ps->clients = calloc (size, sizeof (ps->clients[0])))) {
        free (ps);
        return NULL;
    }
    for (int i = 0; i < size; i++)
        ps->clients[i].fd = ps->clients[i].client_fd = -1;
    /* One node holds every broker (so flux-core's would link by ipc). */
    char mapping[64];
    (void)snprintf (mapping, sizeof (mapping), "(vector,(0,1,%d))", size);
    if (kv_put (ps, "PMI_process_mapping", mapping) < 0) {
        pmi_server_destroy (ps);
        return NULL;
    }
    for (int i = 0; i < size; i++) {
        int sv[2];
        if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
            pmi_server_destroy (ps);
            return NULL;
        }
        ps->clients[i].fd = sv[0];
        ps->clients[i].client_fd = sv[1];
    }
    return ps;
}

void pmi_server_destroy (struct pmi_server *ps)
{
    if (ps) {
        int saved_errno = errno;
        for (int i = 0; i < ps->size; i++) {
            if (ps->clients[i].fd >= 0)
                close (ps->clients[i].fd);
            if (ps->clients[i].client_fd >= 0)
                close (ps->clients[i].client_fd);
        }
        while (ps->kvs) {
            struct kv *kv = ps->kvs;
            ps->kvs = kv->next;
            free (kv->key);
            free (kv->value);
            free (kv);
        }
        free (ps->clients);
        free (ps);
        errno = saved_errno;
    }
}

int pmi_server_client_fd (struct pmi_server *ps, int rank)
{
    return ps->clients[rank].client_fd;
}

int pmi_server_fd (struct pmi_server *ps, int rank)
{
    return ps->clients[rank].fd;
}

void pmi_server_close_clients (struct pmi_server *ps)
{
    for (int i = 0; i < ps->size; i++) {
        if (ps->clients[i].client_fd >= 0) {
            close (ps->clients[i].client_fd);
            ps->clients[i].client_fd = -1;
        }
    }
}

static int reply (struct pmi_server *ps, int rank, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int reply (struct pmi_server *ps, int rank, const char *fmt, ...)
{
    char line[PMI_WIRE_LINE_MAX + 1];
    va_list ap;
    int n;

    va_start (ap, fmt);
    n = vsnprintf (line, sizeof (line) - 1, fmt, ap);
    va_end (ap);
    if (n < 0 || n >= (int)sizeof (line) - 1)
        return -1;
    line[n++] = '\n';
    for (int off = 0; off < n; ) {
        ssize_t w = write (ps->clients[rank].fd, line + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += w;
    }
    return 0;
}

static struct kv *kv_find (struct pmi_server *ps, const char *key)
{
    for (struct kv *kv = ps->kvs; kv; kv = kv->next) {
        if (!strcmp (kv->key, key))
            return kv;
    }
    return NULL;
}

static int kv_put (struct pmi_server *ps, const char *key, const char *value)
{
    struct kv *kv;
    char *v;

    if (!(v = strdup (value)))
        return -1;
    if ((kv = kv_find (ps, key))) {
        free (kv->value);
        kv->value = v;
        return 0;
    }
    if (!(kv = calloc (1, sizeof (*kv))) || !(kv->key = strdup (key))) {
        free (kv);
        free (v);
        return -1;
    }
    kv->value = v;
    kv->next = ps->kvs;
    ps->kvs = kv;
    return 0;
}

/* All in: release everyone. */
static int barrier_enter (struct pmi_server *ps, int rank)
{
    if (ps->clients[rank].in_barrier)
        return reply (ps, rank, "cmd=barrier_out rc=-1");
    ps->clients[rank].in_barrier = true;
    if (++ps->barrier_count < ps->size)
        return 0;
    ps->barrier_count = 0;
    for (int i = 0; i < ps->size; i++) {
        ps->clients[i].in_barrier = false;
        if (ps->clients[i].fd >= 0)
            (void)reply (ps, i, "cmd=barrier_out rc=0");
    }
    return 0;
}

static int handle_line (struct pmi_server *ps, int rank, const char *line)
{
    char cmd[64];
    char key[PMI_WIRE_KEYLEN_MAX + 1];
    char value[PMI_WIRE_VALLEN_MAX + 1];

    if (pmi_wire_get (line, "cmd", cmd, sizeof (cmd)) < 0)
        return -1;
    if (!strcmp (cmd, "init"))
        return reply (ps, rank, "cmd=response_to_init pmi_version=1 "
                      "pmi_subversion=1 rc=0");
    if (!strcmp (cmd, "get_maxes"))
        return reply (ps, rank, "cmd=maxes rc=0 kvsname_max=%d "
                      "keylen_max=%d vallen_max=%d", PMI_WIRE_KVSNAME_MAX,
                      PMI_WIRE_KEYLEN_MAX, PMI_WIRE_VALLEN_MAX);
    if (!strcmp (cmd, "get_appnum"))
        return reply (ps, rank, "cmd=appnum rc=0 appnum=0");
    if (!strcmp (cmd, "get_universe_size"))
        return reply (ps, rank, "cmd=universe_size rc=0 size=%d", ps->size);
    if (!strcmp (cmd, "get_my_kvsname"))
        return reply (ps, rank, "cmd=my_kvsname rc=0 kvsname=%s", KVSNAME);
    if (!strcmp (cmd, "put")) {
        if (pmi_wire_get (line, "key", key, sizeof (key)) < 0
            || pmi_wire_get (line, "value", value, sizeof (value)) < 0)
            return reply (ps, rank, "cmd=put_result rc=-1 msg=bad_put");
        if (kv_put (ps, key, value) < 0)
            return reply (ps, rank, "cmd=put_result rc=-1 msg=no_memory");
        return reply (ps, rank, "cmd=put_result rc=0");
    }
    if (!strcmp (cmd, "get")) {
        struct kv *kv;
        /* N.B. a missing key is rc=4 (PMI_ERR_INVALID_KEY), which
         * flux-core's broker takes for "absent" (flux.instance-level).
         */
        if (pmi_wire_get (line, "key", key, sizeof (key)) < 0
            || !(kv = kv_find (ps, key)))
            return reply (ps, rank, "cmd=get_result rc=4");
        return reply (ps, rank, "cmd=get_result rc=0 value=%s", kv->value);
    }
    if (!strcmp (cmd, "barrier_in"))
        return barrier_enter (ps, rank);
    if (!strcmp (cmd, "finalize"))
        return reply (ps, rank, "cmd=finalize_ack rc=0");
    if (!strcmp (cmd, "abort")) {
        fprintf (stderr, "flux-start: rank %d: PMI abort: %s\n", rank, line);
        return -1;
    }
    fprintf (stderr, "flux-start: rank %d: unknown PMI command '%s'\n",
             rank, cmd);
    return -1;
}

int pmi_server_read (struct pmi_server *ps, int rank)
{
    struct client *c = &ps->clients[rank];
    ssize_t n;
    char *nl;

    if (c->fd < 0)
        return -1;
    n = read (c->fd, c->buf + c->len, sizeof (c->buf) - c->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        goto done;
    c->len += n;
    while ((nl = memchr (c->buf, '\n', c->len))) {
        *nl = '\0';
        if (handle_line (ps, rank, c->buf) < 0)
            goto done;
        c->len -= nl + 1 - c->buf;
        memmove (c->buf, nl + 1, c->len);
    }
    if (c->len == sizeof (c->buf)) {
        fprintf (stderr, "flux-start: rank %d: PMI line too long\n", rank);
        goto done;
    }
    return 0;
done:
    /* A broker gone from a barrier no longer holds the others back. */
    if (c->in_barrier) {
        c->in_barrier = false;
        ps->barrier_count--;
    }
    close (c->fd);
    c->fd = -1;
    return -1;
}
