/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/message.h (the byte encoding and iobuf are left out:
 * Python never frames messages itself).
 */
#define FLUX_MSGTYPE_REQUEST ...
#define FLUX_MSGTYPE_RESPONSE ...
#define FLUX_MSGTYPE_EVENT ...
#define FLUX_MSGTYPE_CONTROL ...
#define FLUX_MSGTYPE_ANY ...
#define FLUX_MSGTYPE_MASK ...

#define FLUX_MSGFLAG_TOPIC ...
#define FLUX_MSGFLAG_PAYLOAD ...
#define FLUX_MSGFLAG_NORESPONSE ...
#define FLUX_MSGFLAG_ROUTE ...
#define FLUX_MSGFLAG_UPSTREAM ...
#define FLUX_MSGFLAG_PRIVATE ...
#define FLUX_MSGFLAG_STREAMING ...
#define FLUX_MSGFLAG_USER1 ...

#define FLUX_NODEID_ANY ...
#define FLUX_NODEID_UPSTREAM ...
#define FLUX_USERID_UNKNOWN ...

#define FLUX_ROLE_NONE ...
#define FLUX_ROLE_OWNER ...
#define FLUX_ROLE_USER ...
#define FLUX_ROLE_LOCAL ...
#define FLUX_ROLE_ADMIN ...
#define FLUX_ROLE_ALL ...
#define FLUX_ROLE_PRIVILEGED ...

#define FLUX_MATCHTAG_NONE ...
#define FLUX_MSG_PROTO_SIZE ...

struct flux_match {
    int typemask;
    uint32_t matchtag;
    const char *topic_glob;
    ...;
};

struct flux_msg_cred {
    uint32_t userid;
    uint32_t rolemask;
    ...;
};

flux_msg_t *flux_msg_create (int type);
void flux_msg_destroy (flux_msg_t *msg);
const flux_msg_t *flux_msg_incref (const flux_msg_t *msg);
void flux_msg_decref (const flux_msg_t *msg);
int flux_msg_refcount (const flux_msg_t *msg);
flux_msg_t *flux_msg_copy (const flux_msg_t *msg, bool payload);

ssize_t flux_msg_encode_size (const flux_msg_t *msg);
int flux_msg_encode (const flux_msg_t *msg, void *buf, size_t size);
flux_msg_t *flux_msg_decode (const void *buf, size_t size);

int flux_msg_set_type (flux_msg_t *msg, int type);
int flux_msg_get_type (const flux_msg_t *msg, int *type);
const char *flux_msg_typestr (int type);

int flux_msg_set_flags (flux_msg_t *msg, uint8_t flags);
int flux_msg_get_flags (const flux_msg_t *msg, uint8_t *flags);
int flux_msg_set_private (flux_msg_t *msg);
bool flux_msg_is_private (const flux_msg_t *msg);
int flux_msg_set_streaming (flux_msg_t *msg);
bool flux_msg_is_streaming (const flux_msg_t *msg);
int flux_msg_set_noresponse (flux_msg_t *msg);
bool flux_msg_is_noresponse (const flux_msg_t *msg);

int flux_msg_set_topic (flux_msg_t *msg, const char *topic);
int flux_msg_get_topic (const flux_msg_t *msg, const char **topic);
int flux_msg_set_payload (flux_msg_t *msg, const void *data, size_t size);
int flux_msg_get_payload (const flux_msg_t *msg, const void **data,
                          size_t *size);
bool flux_msg_has_payload (const flux_msg_t *msg);
int flux_msg_set_string (flux_msg_t *msg, const char *s);
int flux_msg_get_string (const flux_msg_t *msg, const char **s);
const char *flux_msg_last_error (const flux_msg_t *msg);

int flux_msg_set_nodeid (flux_msg_t *msg, uint32_t nodeid);
int flux_msg_get_nodeid (const flux_msg_t *msg, uint32_t *nodeid);
int flux_msg_set_userid (flux_msg_t *msg, uint32_t userid);
int flux_msg_get_userid (const flux_msg_t *msg, uint32_t *userid);
int flux_msg_set_rolemask (flux_msg_t *msg, uint32_t rolemask);
int flux_msg_get_rolemask (const flux_msg_t *msg, uint32_t *rolemask);
int flux_msg_authorize (const flux_msg_t *msg, uint32_t userid);

int flux_msg_set_errnum (flux_msg_t *msg, int errnum);
int flux_msg_get_errnum (const flux_msg_t *msg, int *errnum);
int flux_msg_set_seq (flux_msg_t *msg, uint32_t seq);
int flux_msg_get_seq (const flux_msg_t *msg, uint32_t *seq);
int flux_msg_set_matchtag (flux_msg_t *msg, uint32_t matchtag);
int flux_msg_get_matchtag (const flux_msg_t *msg, uint32_t *matchtag);

bool flux_msg_cmp (const flux_msg_t *msg, struct flux_match match);

int flux_msg_route_count (const flux_msg_t *msg);
const char *flux_msg_route_first (const flux_msg_t *msg);
const char *flux_msg_route_last (const flux_msg_t *msg);
char *flux_msg_route_string (const flux_msg_t *msg);

/* Routing, control messages, credentials and aux data. */
void flux_msg_route_enable (flux_msg_t *msg);
void flux_msg_route_disable (flux_msg_t *msg);
void flux_msg_route_clear (flux_msg_t *msg);
int flux_msg_route_push (flux_msg_t *msg, const char *id);
int flux_msg_route_delete_last (flux_msg_t *msg);
bool flux_msg_route_match_first (const flux_msg_t *msg1,
                                 const flux_msg_t *msg2);
int flux_msg_set_control (flux_msg_t *msg, int type, int status);
int flux_msg_get_control (const flux_msg_t *msg, int *type, int *status);
int flux_msg_set_cred (flux_msg_t *msg, struct flux_msg_cred cred);
int flux_msg_get_cred (const flux_msg_t *msg, struct flux_msg_cred *cred);
int flux_msg_cred_authorize (struct flux_msg_cred cred, uint32_t userid);
int flux_msg_aux_set (const flux_msg_t *msg, const char *name,
                      void *aux, flux_free_f destroy);
void *flux_msg_aux_get (const flux_msg_t *msg, const char *name);
