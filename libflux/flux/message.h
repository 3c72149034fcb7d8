/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RFC 3 messages: a route stack, a topic, a payload and a PROTO frame
 * holding type, flags, credentials and two type-dependent integers.
 *
 * Unless a comment says otherwise, functions returning int return 0 on
 * success, -1 with errno set on failure (EINVAL for NULL or invalid
 * arguments, EPROTO for a message that lacks the part asked for).
 * Pointers returned through 'const char **' or 'const void **' arguments
 * are owned by the message and valid until it is modified or destroyed.
 */
#ifndef FLUX_MESSAGE_H
#define FLUX_MESSAGE_H

#include <stdarg.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_MSGTYPE_REQUEST = 0x01,
    FLUX_MSGTYPE_RESPONSE = 0x02,
    FLUX_MSGTYPE_EVENT = 0x04,
    FLUX_MSGTYPE_CONTROL = 0x08,
    FLUX_MSGTYPE_ANY = 0x0f,
    FLUX_MSGTYPE_MASK = 0x0f,
};

enum {
    FLUX_MSGFLAG_TOPIC = 0x01,
    FLUX_MSGFLAG_PAYLOAD = 0x02,
    FLUX_MSGFLAG_NORESPONSE = 0x04,
    FLUX_MSGFLAG_ROUTE = 0x08,
    FLUX_MSGFLAG_UPSTREAM = 0x10,
    FLUX_MSGFLAG_PRIVATE = 0x20,
    FLUX_MSGFLAG_STREAMING = 0x40,
    FLUX_MSGFLAG_USER1 = 0x80,
};

enum {
    FLUX_NODEID_ANY = 0xFFFFFFFF,
    FLUX_NODEID_UPSTREAM = 0xFFFFFFFE,
};

enum {
    FLUX_USERID_UNKNOWN = 0xFFFFFFFF,
};

enum {
    FLUX_ROLE_NONE = 0,
    FLUX_ROLE_OWNER = 1,
    FLUX_ROLE_USER = 2,
    FLUX_ROLE_LOCAL = 4,
    FLUX_ROLE_ADMIN = 8,
    FLUX_ROLE_ALL = 0xFFFFFFFF,
};
#define FLUX_ROLE_PRIVILEGED (FLUX_ROLE_OWNER | FLUX_ROLE_ADMIN)

enum {
    FLUX_MATCHTAG_NONE = 0,
};

/* Size of the PROTO frame and the largest message part the decoder
 * accepts (a guard against a corrupt length allocating gigabytes).
 */
enum {
    FLUX_MSG_PROTO_SIZE = 20,
};

struct flux_match {
    int typemask;           /* bitmask of FLUX_MSGTYPE_* */
    uint32_t matchtag;      /* FLUX_MATCHTAG_NONE matches any */
    const char *topic_glob; /* NULL or "*" matches any (fnmatch glob) */
};

#define FLUX_MATCH_ANY \
    (struct flux_match){ .typemask = FLUX_MSGTYPE_ANY, \
                         .matchtag = FLUX_MATCHTAG_NONE, .topic_glob = NULL }
#define FLUX_MATCH_EVENT \
    (struct flux_match){ .typemask = FLUX_MSGTYPE_EVENT, \
                         .matchtag = FLUX_MATCHTAG_NONE, .topic_glob = NULL }
#define FLUX_MATCH_REQUEST \
    (struct flux_match){ .typemask = FLUX_MSGTYPE_REQUEST, \
                         .matchtag = FLUX_MATCHTAG_NONE, .topic_glob = NULL }
#define FLUX_MATCH_RESPONSE \
    (struct flux_match){ .typemask = FLUX_MSGTYPE_RESPONSE, \
                         .matchtag = FLUX_MATCHTAG_NONE, .topic_glob = NULL }

struct flux_msg_cred {
    uint32_t userid;
    uint32_t rolemask;
};

/* Create a message of 'type' with userid UNKNOWN, rolemask NONE and, for
 * a request, nodeid ANY and matchtag NONE.  Refcount starts at 1.
 * Returns NULL with errno set on failure.  Caller must destroy/decref.
 */
flux_msg_t *flux_msg_create (int type);

/* destroy drops a reference (destroy == decref; the last one frees the
 * message and destroys its aux items).  NULL-safe; preserves errno.
 * incref returns its argument (NULL with errno EINVAL for NULL);
 * refcount returns the count, or -1 with errno EINVAL for NULL.
 */
void flux_msg_destroy (flux_msg_t *msg);
const flux_msg_t *flux_msg_incref (const flux_msg_t *msg);
void flux_msg_decref (const flux_msg_t *msg);
int flux_msg_refcount (const flux_msg_t *msg);

/* Deep copy with refcount 1; the payload is copied only if 'payload' is
 * true.  Aux items are not copied.  Returns the copy (caller must
 * destroy), or NULL with errno EINVAL (NULL msg) or ENOMEM.
 */
flux_msg_t *flux_msg_copy (const flux_msg_t *msg, bool payload);

/* Named items hung on a message, owned by it: destroyed (newest first)
 * with it, or when replaced.  aux_set with aux == NULL deletes the item;
 * name NULL stores an anonymous item, kept only to be destroyed.  As in
 * flux-core it is allowed on a shared (const) message, but not thread-
 * safe: only the thread that owns the message may use it.  aux_set
 * returns 0, or -1 with errno EINVAL (NULL msg; name and aux both NULL)
 * or ENOMEM.  aux_get returns the item (owned by the message), or NULL
 * with errno EINVAL (NULL msg or name) or ENOENT if absent.
 */
int flux_msg_aux_set (const flux_msg_t *msg, const char *name,
                      void *aux, flux_free_f destroy);
void *flux_msg_aux_get (const flux_msg_t *msg, const char *name);

/* Byte encoding (flux-core flux_msg_encode): each part as a size (one
 * byte if < 255, else 0xFF and a 4-byte big-endian length) then its
 * bytes; route ids, empty delimiter, topic, payload, PROTO last.
 * encode_size returns the encoded size or -1.  encode fails with EINVAL
 * if 'size' is too small.  decode returns a new message (caller
 * destroys) or NULL with EPROTO for any malformed input; it never reads
 * outside buf[0..size).
 */
ssize_t flux_msg_encode_size (const flux_msg_t *msg);
int flux_msg_encode (const flux_msg_t *msg, void *buf, size_t size);
flux_msg_t *flux_msg_decode (const void *buf, size_t size);

/* Socket framing (flux-core librouter/sendfd.c): magic 0xffee0012 as a
 * native uint32 (bytes 12 00 ee ff on x86-64, as flux-core writes it),
 * a 4-byte big-endian length of the encoded message, then the encoded
 * message.  Works on blocking and non-blocking fds: on EAGAIN/EWOULDBLOCK
 * the iobuf keeps the partial state, and the same message (send) or the
 * next call (recv) resumes it.  recvfd returns NULL with errno ECONNRESET
 * on EOF, EPROTO on a bad frame.  An iobuf is zeroed with iobuf_init and
 * its memory released with iobuf_clean.  An iobuf in use may point into
 * itself: do not copy it.  iobuf may be NULL: then a frame once started
 * is finished (poll() waits on a non-blocking fd), and recvfd returns
 * EAGAIN only if no byte was read.  Lengths above 1 GiB are EPROTO.
 * A frame's buffer grows with the bytes that arrive (never to more than
 * twice those, or 64 KiB), so a length field alone reserves no memory.
 */
struct flux_msg_iobuf {
    uint8_t *buf;
    size_t size;            /* bytes of the frame (or header) wanted */
    size_t done;            /* bytes of it read or written so far */
    size_t alloc;           /* bytes allocated at buf */
    uint8_t buf_fixed[4096];
};
/* (See the framing above.)  init zeroes an iobuf, clean frees what it
 * holds; both NULL-safe.  sendfd returns 0 once the whole frame is
 * written, or -1 with errno EINVAL (fd < 0, NULL msg), EAGAIN (with an
 * iobuf: call again with the same msg), or write()'s.  recvfd returns
 * a new message (caller destroys), or NULL with errno EINVAL (fd < 0),
 * EAGAIN, ECONNRESET at EOF, EPROTO for a bad frame, or read()'s.
 */
void flux_msg_iobuf_init (struct flux_msg_iobuf *iobuf);
void flux_msg_iobuf_clean (struct flux_msg_iobuf *iobuf);
int flux_msg_sendfd (int fd, const flux_msg_t *msg,
                     struct flux_msg_iobuf *iobuf);
flux_msg_t *flux_msg_recvfd (int fd, struct flux_msg_iobuf *iobuf);
/* recvfd, refusing a frame whose header announces more than 'max' bytes
 * of message: NULL with errno EMSGSIZE, after reading only the 8-byte
 * header (nothing of the body is read or buffered), and the announced
 * size in *lenp if lenp is not NULL.  The stream is then out of step:
 * close it.  Otherwise returns as recvfd does (caller destroys).
 */
flux_msg_t *flux_msg_recvfd_max (int fd, struct flux_msg_iobuf *iobuf,
                                 size_t max, size_t *lenp);

/* A receive buffer (see below). */
struct flux_msg_rbuf {
    uint8_t *buf;
    size_t alloc;           /* bytes allocated at buf */
    size_t head;            /* first byte not handed out yet */
    size_t tail;            /* end of the bytes read */
    bool drained;
};

/* A receive buffer for a stream of frames (not in flux-core): where
 * recvfd reads a frame in two or three read() calls (header, body, and
 * the EAGAIN that ends a batch), rbuf_recv reads as many bytes as are
 * waiting, up to the buffer's size, in one, and hands out the frames it
 * holds before it reads again.  A read into an empty buffer takes up to
 * 16 KiB onto the stack, and only bytes left after its first frame are
 * kept, in a buffer of 16 KiB, which grows only while a frame does not
 * fit and the buffer is full (doubling, up to the frame's size: a length
 * field alone reserves nothing), and is freed once it holds nothing and
 * the fd has nothing either.
 *
 * rbuf_recv returns the next message (caller destroys), or NULL with
 * errno EAGAIN (nothing whole buffered and, read() said so or 'drained'
 * is set, nothing on the fd), ECONNRESET at EOF (frames read before it
 * are handed out first), EPROTO for a bad frame, EMSGSIZE for a frame
 * whose header announces more than 'max' bytes (its size in *lenp if
 * lenp is not NULL; no buffer is made for its body), or read()'s.
 * After any error but EAGAIN the stream is out of step: close it.
 * 'drained' is set when a read() returns less than it asked for (the
 * fd is empty for now); while it is set rbuf_recv does not read, so a
 * reader woken by readiness clears it first and a reader that drains
 * a batch pays no read() for the EAGAIN.  rbuf_ready says whether
 * rbuf_recv would return without reading (a whole frame, or a header it
 * refuses, is buffered).  init zeroes an rbuf, clean frees what it
 * holds; both NULL-safe.
 */
void flux_msg_rbuf_init (struct flux_msg_rbuf *rb);
void flux_msg_rbuf_clean (struct flux_msg_rbuf *rb);
flux_msg_t *flux_msg_rbuf_recv (int fd, struct flux_msg_rbuf *rb,
                                size_t max, size_t *lenp);
bool flux_msg_rbuf_ready (const struct flux_msg_rbuf *rb, size_t max);

/* A send buffer (see below). */
struct flux_msg_wbuf {
    uint8_t *buf;
    size_t alloc;           /* bytes allocated at buf */
    size_t head;            /* first byte not written yet */
    size_t tail;            /* end of the frames added */
};

/* A send buffer for a stream of frames (not in flux-core): wbuf_add
 * encodes msg's frame after those already buffered (0, or -1 with errno
 * EMSGSIZE over 1 GiB, or ENOMEM); wbuf_write writes what is buffered,
 * in as few write() calls as the fd takes: 0 once all is written (the
 * buffer is then freed), or -1 with errno EAGAIN (the rest is kept for
 * the next call) or write()'s; never SIGPIPE.  So frames added in one
 * reactor turn leave in one syscall.  init zeroes a wbuf, clean frees
 * what it holds; both NULL-safe.
 */
void flux_msg_wbuf_init (struct flux_msg_wbuf *wb);
void flux_msg_wbuf_clean (struct flux_msg_wbuf *wb);
int flux_msg_wbuf_add (struct flux_msg_wbuf *wb, const flux_msg_t *msg);
int flux_msg_wbuf_write (int fd, struct flux_msg_wbuf *wb);

/* set_type (EINVAL for a type that is not one of the four) resets the
 * type-dependent integers: a request gets nodeid ANY and matchtag NONE,
 * a response keeps its matchtag and gets errnum 0.  typestr returns a
 * static string, "request", "response", "event", "control" or
 * "unknown"; it never fails.
 */
int flux_msg_set_type (flux_msg_t *msg, int type);
int flux_msg_get_type (const flux_msg_t *msg, int *type);
const char *flux_msg_typestr (int type);

/* The TOPIC, PAYLOAD and ROUTE bits follow the message's content (set by
 * set_topic, set_payload, route_enable...): set_flags keeps them as they
 * are and sets only the other bits.  EINVAL if both STREAMING and
 * NORESPONSE are given.
 */
int flux_msg_set_flags (flux_msg_t *msg, uint8_t flags);
int flux_msg_get_flags (const flux_msg_t *msg, uint8_t *flags);

/* One flag each: set_* return 0, or -1 with errno EINVAL for a NULL
 * msg; is_* return whether the flag is set (false for a NULL msg).
 * Setting STREAMING clears NORESPONSE and vice versa.
 */
int flux_msg_set_private (flux_msg_t *msg);
bool flux_msg_is_private (const flux_msg_t *msg);
int flux_msg_set_streaming (flux_msg_t *msg);
bool flux_msg_is_streaming (const flux_msg_t *msg);
int flux_msg_set_noresponse (flux_msg_t *msg);
bool flux_msg_is_noresponse (const flux_msg_t *msg);

/* topic NULL clears it.  get_topic fails with EPROTO if there is none. */
int flux_msg_set_topic (flux_msg_t *msg, const char *topic);
int flux_msg_get_topic (const flux_msg_t *msg, const char **topic);

/* Raw payload.  data NULL with size 0 clears it.  has_payload returns
 * whether there is one (false for a NULL msg).
 */
int flux_msg_set_payload (flux_msg_t *msg, const void *data, size_t size);
int flux_msg_get_payload (const flux_msg_t *msg, const void **data,
                          size_t *size);
bool flux_msg_has_payload (const flux_msg_t *msg);

/* String payload stored with its trailing NUL.  get_string gives NULL
 * for no payload, EPROTO if the payload is not NUL-terminated.
 */
int flux_msg_set_string (flux_msg_t *msg, const char *s);
int flux_msg_get_string (const flux_msg_t *msg, const char **s);

/* JSON object payload through jansson pack/unpack formats.  On an unpack
 * failure, errno is EPROTO and flux_msg_last_error() gives the text.
 */
int flux_msg_pack (flux_msg_t *msg, const char *fmt, ...);
int flux_msg_vpack (flux_msg_t *msg, const char *fmt, va_list ap);
int flux_msg_unpack (const flux_msg_t *msg, const char *fmt, ...);
int flux_msg_vunpack (const flux_msg_t *msg, const char *fmt, va_list ap);
/* Returns the text of the last pack/unpack error on msg: "" if none,
 * "msg object is NULL" for NULL.  Owned by the message (or static),
 * valid until its next pack/unpack or its destruction.  Never fails.
 */
const char *flux_msg_last_error (const flux_msg_t *msg);

/* The PROTO integers.  nodeid is a request's (set_nodeid: EINVAL for
 * FLUX_NODEID_UPSTREAM, an API value flux_rpc turns into the UPSTREAM
 * flag); userid, rolemask and cred any message's.  EPROTO for a message
 * of another type; EINVAL for a NULL msg or out pointer.
 */
int flux_msg_set_nodeid (flux_msg_t *msg, uint32_t nodeid);
int flux_msg_get_nodeid (const flux_msg_t *msg, uint32_t *nodeid);
int flux_msg_set_userid (flux_msg_t *msg, uint32_t userid);
int flux_msg_get_userid (const flux_msg_t *msg, uint32_t *userid);
int flux_msg_set_rolemask (flux_msg_t *msg, uint32_t rolemask);
int flux_msg_get_rolemask (const flux_msg_t *msg, uint32_t *rolemask);
int flux_msg_set_cred (flux_msg_t *msg, struct flux_msg_cred cred);
int flux_msg_get_cred (const flux_msg_t *msg, struct flux_msg_cred *cred);
/* OWNER always passes; USER passes if its userid equals 'userid';
 * anything else fails with EPERM.
 */
int flux_msg_cred_authorize (struct flux_msg_cred cred, uint32_t userid);
int flux_msg_authorize (const flux_msg_t *msg, uint32_t userid);

/* errnum is a response's (set: EINVAL if negative), seq an event's,
 * matchtag a request's or response's, control type and status a
 * control message's: EPROTO for a message of another type, EINVAL for
 * a NULL msg or out pointer (get_control needs both).
 */
int flux_msg_set_errnum (flux_msg_t *msg, int errnum);
int flux_msg_get_errnum (const flux_msg_t *msg, int *errnum);
int flux_msg_set_seq (flux_msg_t *msg, uint32_t seq);
int flux_msg_get_seq (const flux_msg_t *msg, uint32_t *seq);
int flux_msg_set_matchtag (flux_msg_t *msg, uint32_t matchtag);
int flux_msg_get_matchtag (const flux_msg_t *msg, uint32_t *matchtag);
int flux_msg_set_control (flux_msg_t *msg, int type, int status);
int flux_msg_get_control (const flux_msg_t *msg, int *type, int *status);

/* Returns true if msg matches type, matchtag and topic glob of 'match'
 * (false for a NULL msg).
 */
bool flux_msg_cmp (const flux_msg_t *msg, struct flux_match match);

/* Route stack.  enable sets the ROUTE flag (an empty stack); disable
 * clears it and the stack.  push adds the most recent hop; delete_last
 * removes it (a no-op on an empty stack); both fail with EPROTO if there
 * is no route stack (push: ENOMEM, EOVERFLOW past 2^30 hops).
 * route_first returns the original sender, route_last the most recent
 * hop (owned by the message, valid until the stack changes), or NULL
 * if there is none (no ROUTE flag, an empty stack, a NULL msg; errno
 * unchanged: they never fail otherwise).  route_count returns the
 * number of hops, or -1 with errno EINVAL (NULL) or EPROTO (no route
 * stack).  route_string returns the hops oldest first joined with '!',
 * each cut to 8 characters (caller must free), or NULL with errno
 * EINVAL, EPROTO (no route stack) or ENOMEM.  route_match_first returns
 * true if both messages have the same first hop, or neither has one.
 */
void flux_msg_route_enable (flux_msg_t *msg);
void flux_msg_route_disable (flux_msg_t *msg);
void flux_msg_route_clear (flux_msg_t *msg);
int flux_msg_route_push (flux_msg_t *msg, const char *id);
int flux_msg_route_delete_last (flux_msg_t *msg);
const char *flux_msg_route_first (const flux_msg_t *msg);
const char *flux_msg_route_last (const flux_msg_t *msg);
int flux_msg_route_count (const flux_msg_t *msg);
char *flux_msg_route_string (const flux_msg_t *msg);
bool flux_msg_route_match_first (const flux_msg_t *msg1,
                                 const flux_msg_t *msg2);

/* Test or set one flag (FLUX_MSGFLAG_*).  set_flag fails with EINVAL
 * for bits outside the flags byte, for STREAMING together with
 * NORESPONSE, and for TOPIC or PAYLOAD on a message without that part
 * (those bits follow the content); ROUTE enables the route stack.
 * has_flag returns whether the flag is set: false for a NULL message.
 */
bool flux_msg_has_flag (const flux_msg_t *msg, int flag);
int flux_msg_set_flag (flux_msg_t *msg, int flag);
/* Returns true if the rolemask has FLUX_ROLE_LOCAL (sent from this
 * broker); false for a NULL msg.
 */
bool flux_msg_is_local (const flux_msg_t *msg);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_MESSAGE_H */
