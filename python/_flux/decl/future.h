/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/future.h */
typedef void (*flux_continuation_f)(flux_future_t *f, void *arg);
typedef void (*flux_future_init_f)(flux_future_t *f, void *arg);

flux_future_t *flux_future_create (flux_future_init_f cb, void *arg);
void flux_future_destroy (flux_future_t *f);
void flux_future_incref (flux_future_t *f);
void flux_future_decref (flux_future_t *f);
int flux_future_then (flux_future_t *f, double timeout,
                      flux_continuation_f cb, void *arg);
int flux_future_wait_for (flux_future_t *f, double timeout);
bool flux_future_is_ready (flux_future_t *f);
void flux_future_reset (flux_future_t *f);
int flux_future_get (flux_future_t *f, const void **result);
void flux_future_fulfill (flux_future_t *f, void *result,
                          flux_free_f free_fn);
void flux_future_fulfill_error (flux_future_t *f, int errnum,
                                const char *errstr);
const char *flux_future_error_string (flux_future_t *f);
void flux_future_set_flux (flux_future_t *f, flux_t *h);
flux_t *flux_future_get_flux (flux_future_t *f);
void flux_future_set_reactor (flux_future_t *f, flux_reactor_t *r);
flux_reactor_t *flux_future_get_reactor (flux_future_t *f);
int flux_future_aux_set (flux_future_t *f, const char *name,
                         void *aux, flux_free_f destroy);
void *flux_future_aux_get (flux_future_t *f, const char *name);

flux_future_t *flux_future_wait_all_create (void);
flux_future_t *flux_future_wait_any_create (void);
int flux_future_push (flux_future_t *cf, const char *name, flux_future_t *f);
const char *flux_future_first_child (flux_future_t *cf);
const char *flux_future_next_child (flux_future_t *cf);
flux_future_t *flux_future_get_child (flux_future_t *cf, const char *name);
