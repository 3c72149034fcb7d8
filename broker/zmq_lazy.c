/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* libzmq, opened when the broker first needs a link of the tree.
 *
 * Debian's libzmq brings fifteen shared libraries with it (libstdc++,
 * libsodium, pgm, norm, five of Kerberos...): linked into the broker,
 * mapping and relocating them took 3.5 ms of every broker's start here
 * (a program that only links the broker's libraries: 1.5 ms with
 * libzmq's left out, 5 ms with them), and most instances are a single
 * broker, which makes no link.  So the broker does not link libzmq: the
 * functions it calls are defined here, each calling libzmq's own,
 * looked up by zmq_lazy_open(), which the overlay and the config boot
 * method call before their first use of libzmq.  (`flux keygen` opens
 * it only when it runs too, but looks up its two functions itself: the
 * flux command is linked with --export-dynamic, where definitions like
 * these would stand in for libzmq's in the modules it loads.)
 *
 * The definitions are the executable's own: the broker is not linked
 * with --export-dynamic, so they are not in its dynamic symbol table and
 * never stand in for libzmq's in the scope of a module that links libzmq
 * itself (pyzmq), which gets libzmq's, whether or not the broker opened
 * it (the same library, if it did: one soname, one copy).
 *
 * Called before zmq_lazy_open() succeeded, a function fails as libzmq
 * would with nothing to work on (errno ELIBACC, NULL or -1); zmq_strerror()
 * says strerror()'s words.  Only the broker's main thread uses libzmq.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <zmq.h>

#include "zmq_lazy.h"
#include "errprintf.h"

/* libzmq's ABI version 5 is every libzmq 4.x (meson asks for >= 4.3). */
#define ZMQ_SONAME "libzmq.so.5"

/* X (return type, name, parameters, arguments, value on failure) */
#define ZMQ_FUNCTIONS(X) \
    X (void *, zmq_ctx_new, (void), (), NULL) \
    X (int, zmq_ctx_term, (void *c), (c), -1) \
    X (void *, zmq_socket, (void *c, int type), (c, type), NULL) \
    X (int, zmq_close, (void *s), (s), -1) \
    X (int, zmq_setsockopt, (void *s, int o, const void *v, size_t n), \
       (s, o, v, n), -1) \
    X (int, zmq_getsockopt, (void *s, int o, void *v, size_t *n), \
       (s, o, v, n), -1) \
    X (int, zmq_bind, (void *s, const char *a), (s, a), -1) \
    X (int, zmq_connect, (void *s, const char *a), (s, a), -1) \
    X (int, zmq_send, (void *s, const void *b, size_t n, int f), \
       (s, b, n, f), -1) \
    X (int, zmq_msg_init, (zmq_msg_t *m), (m), -1) \
    X (int, zmq_msg_recv, (zmq_msg_t *m, void *s, int f), (m, s, f), -1) \
    X (void *, zmq_msg_data, (zmq_msg_t *m), (m), NULL) \
    X (size_t, zmq_msg_size, (const zmq_msg_t *m), (m), 0) \
    X (int, zmq_msg_close, (zmq_msg_t *m), (m), -1) \
    X (int, zmq_socket_monitor, (void *s, const char *a, int e), \
       (s, a, e), -1) \
    X (int, zmq_poll, (zmq_pollitem_t *i, int n, long t), (i, n, t), -1) \
    X (int, zmq_curve_public, (char *pub, const char *sec), (pub, sec), -1) \
    X (int, zmq_curve_keypair, (char *pub, char *sec), (pub, sec), -1) \
    X (char *, zmq_z85_encode, (char *d, const uint8_t *s, size_t n), \
       (d, s, n), NULL)

/* libzmq's functions, once opened. */
#define POINTER(type, name, params, args, fail) \
    static type (*name##_fn) params;
ZMQ_FUNCTIONS (POINTER)
static const char *(*zmq_strerror_fn) (int);

/* The broker's definitions: call libzmq's, or fail. */
#define DEFINE(type, name, params, args, fail) \
    type name params \
    { \
        if (!name##_fn) { \
            errno = ELIBACC; \
            return fail; \
        } \
        return name##_fn args; \
    }
ZMQ_FUNCTIONS (DEFINE)

const char *zmq_strerror (int errnum)
{
    return zmq_strerror_fn ? zmq_strerror_fn (errnum) : strerror (errnum);
}

int zmq_lazy_open (flux_error_t *error)
{
    static void *dso;

    if (dso)
        return 0;
    dlerror ();
    if (!(dso = dlopen (ZMQ_SONAME, RTLD_NOW | RTLD_LOCAL))) {
        const char *s = dlerror ();
        errprintf (error, "cannot load %s (the links between brokers need"
                   " it): %s", ZMQ_SONAME, s ? s : "dlopen failed");
        errno = ELIBACC;
        return -1;
    }
    /* N.B. All or none: a libzmq without one of these is no libzmq 4.3. */
#define LOOKUP(type, name, params, args, fail) \
    if (!(*(void **)&name##_fn = dlsym (dso, #name))) \
        goto missing;
    ZMQ_FUNCTIONS (LOOKUP)
    if (!(*(void **)&zmq_strerror_fn = dlsym (dso, "zmq_strerror")))
        goto missing;
    return 0;
missing:
    errprintf (error, "%s: %s", ZMQ_SONAME, dlerror ());
#define CLEAR(type, name, params, args, fail) name##_fn = NULL;
    ZMQ_FUNCTIONS (CLEAR)
    zmq_strerror_fn = NULL;
    (void)dlclose (dso);
    dso = NULL;
    errno = ELIBACC;
    return -1;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
