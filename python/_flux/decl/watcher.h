/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/watcher.h */
typedef void (*flux_watcher_f)(flux_reactor_t *r,
                               flux_watcher_t *w,
                               int revents,
                               void *arg);

void flux_watcher_start (flux_watcher_t *w);
void flux_watcher_stop (flux_watcher_t *w);
bool flux_watcher_is_active (flux_watcher_t *w);
void flux_watcher_ref (flux_watcher_t *w);
void flux_watcher_unref (flux_watcher_t *w);
void flux_watcher_destroy (flux_watcher_t *w);
flux_reactor_t *flux_watcher_get_reactor (flux_watcher_t *w);

flux_watcher_t *flux_fd_watcher_create (flux_reactor_t *r, int fd,
                                        int events, flux_watcher_f cb,
                                        void *arg);
int flux_fd_watcher_get_fd (flux_watcher_t *w);
flux_watcher_t *flux_timer_watcher_create (flux_reactor_t *r, double after,
                                           double repeat, flux_watcher_f cb,
                                           void *arg);
void flux_timer_watcher_reset (flux_watcher_t *w, double after,
                               double repeat);
void flux_timer_watcher_again (flux_watcher_t *w);
flux_watcher_t *flux_signal_watcher_create (flux_reactor_t *r, int signum,
                                            flux_watcher_f cb, void *arg);
int flux_signal_watcher_get_signum (flux_watcher_t *w);
flux_watcher_t *flux_prepare_watcher_create (flux_reactor_t *r,
                                             flux_watcher_f cb, void *arg);
flux_watcher_t *flux_check_watcher_create (flux_reactor_t *r,
                                           flux_watcher_f cb, void *arg);
flux_watcher_t *flux_idle_watcher_create (flux_reactor_t *r,
                                          flux_watcher_f cb, void *arg);
flux_watcher_t *flux_handle_watcher_create (flux_reactor_t *r, flux_t *h,
                                            int events, flux_watcher_f cb,
                                            void *arg);
flux_t *flux_handle_watcher_get_flux (flux_watcher_t *w);
