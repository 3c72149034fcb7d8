/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* zwatch.c: a ZeroMQ socket in a Flux reactor (see zwatch.h). */
#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

#include "zwatch.h"

struct zwatch {
    void *sock;
    zwatch_f cb;
    void *arg;
    flux_watcher_t *fd_w;
    flux_watcher_t *prepare_w;
    flux_watcher_t *check_w;
    flux_watcher_t *idle_w;
};

static bool readable (struct zwatch *zw)
{
    int events = 0;
    size_t size = sizeof (events);

    return zmq_getsockopt (zw->sock, ZMQ_EVENTS, &events, &size) == 0
           && (events & ZMQ_POLLIN);
}

static void prepare_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                        void *arg)
{
    struct zwatch *zw = arg;

    (void)r;
    (void)w;
    (void)revents;
    if (readable (zw))
        flux_watcher_start (zw->idle_w);
}

static void check_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct zwatch *zw = arg;

    (void)r;
    (void)w;
    (void)revents;
    flux_watcher_stop (zw->idle_w);
    if (readable (zw))
        zw->cb (zw, zw->sock, zw->arg);
}

/* The fd only wakes the loop: check_cb reads. */
static void fd_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                   void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    (void)arg;
}

struct zwatch *zwatch_create (flux_reactor_t *r, void *sock, zwatch_f cb,
                              void *arg)
{
    struct zwatch *zw;
    int fd;
    size_t size = sizeof (fd);

    if (!r || !sock || !cb) {
        errno = EINVAL;
        return NULL;
    }
    if (zmq_getsockopt (sock, ZMQ_FD, &fd, &size) < 0)
        return NULL;
    if (!(zw = calloc (1, sizeof (*zw))))
        return NULL;
    zw->sock = sock;
    zw->cb = cb;
    zw->arg = arg;
    if (!(zw->fd_w = flux_fd_watcher_create (r, fd, FLUX_POLLIN, fd_cb, zw))
        || !(zw->prepare_w = flux_prepare_watcher_create (r, prepare_cb, zw))
        || !(zw->check_w = flux_check_watcher_create (r, check_cb, zw))
        || !(zw->idle_w = flux_idle_watcher_create (r, NULL, NULL))) {
        zwatch_destroy (zw);
        return NULL;
    }
    flux_watcher_start (zw->fd_w);
    flux_watcher_start (zw->prepare_w);
    flux_watcher_start (zw->check_w);
    return zw;
}

void zwatch_destroy (struct zwatch *zw)
{
    if (zw) {
        int saved_errno = errno;
        flux_watcher_destroy (zw->fd_w);
        flux_watcher_destroy (zw->prepare_w);
        flux_watcher_destroy (zw->check_w);
        flux_watcher_destroy (zw->idle_w);
        free (zw);
        errno = saved_errno;
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
