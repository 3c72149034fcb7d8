/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/handle.h (the connector interface is left out). */
#define FLUX_O_TRACE ...
#define FLUX_O_CLONE ...
#define FLUX_O_NONBLOCK ...
#define FLUX_O_MATCHDEBUG ...
#define FLUX_O_TEST_NOSUB ...
#define FLUX_O_RPCTRACK ...
#define FLUX_O_NOREQUEUE ...
#define FLUX_RQ_HEAD ...
#define FLUX_RQ_TAIL ...

struct flux_msgcounters {
    int request_tx;
    int request_rx;
    int response_tx;
    int response_rx;
    int event_tx;
    int event_rx;
    int control_tx;
    int control_rx;
    ...;
};

flux_t *flux_open (const char *uri, int flags);
flux_t *flux_open_ex (const char *uri, int flags, flux_error_t *error);
void flux_close (flux_t *h);
flux_t *flux_incref (flux_t *h);
void flux_decref (flux_t *h);
flux_t *flux_clone (flux_t *orig);

int flux_set_reactor (flux_t *h, flux_reactor_t *r);
flux_reactor_t *flux_get_reactor (flux_t *h);

void *flux_aux_get (flux_t *h, const char *name);

int flux_flags_set (flux_t *h, int flags);
int flux_flags_unset (flux_t *h, int flags);
int flux_flags_get (flux_t *h);

int flux_send (flux_t *h, const flux_msg_t *msg, int flags);
flux_msg_t *flux_recv (flux_t *h, struct flux_match match, int flags);
int flux_requeue (flux_t *h, const flux_msg_t *msg, int flags);

int flux_pollfd (flux_t *h);
int flux_pollevents (flux_t *h);

uint32_t flux_matchtag_alloc (flux_t *h);
void flux_matchtag_free (flux_t *h, uint32_t matchtag);
uint32_t flux_matchtag_avail (flux_t *h);

void flux_get_msgcounters (flux_t *h, struct flux_msgcounters *mcs);
void flux_clr_msgcounters (flux_t *h);

int flux_get_rank (flux_t *h, uint32_t *rank);

int flux_aux_set (flux_t *h, const char *name, void *aux, flux_free_f destroy);
int flux_opt_set (flux_t *h, const char *option, const void *val, size_t len);
int flux_opt_get (flux_t *h, const char *option, void *val, size_t len);
