/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/reactor.h */
#define FLUX_REACTOR_NOWAIT ...
#define FLUX_REACTOR_ONCE ...
#define FLUX_POLLIN ...
#define FLUX_POLLOUT ...
#define FLUX_POLLERR ...

flux_reactor_t *flux_reactor_create (int flags);
void flux_reactor_destroy (flux_reactor_t *r);
void flux_reactor_incref (flux_reactor_t *r);
void flux_reactor_decref (flux_reactor_t *r);
int flux_reactor_run (flux_reactor_t *r, int flags);
void flux_reactor_stop (flux_reactor_t *r);
void flux_reactor_stop_error (flux_reactor_t *r);
double flux_reactor_now (flux_reactor_t *r);
void flux_reactor_now_update (flux_reactor_t *r);
double flux_reactor_time (void);
void flux_reactor_active_incref (flux_reactor_t *r);
void flux_reactor_active_decref (flux_reactor_t *r);
