/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for the future-returning subscriptions of flux/event.h. */
flux_future_t *flux_event_subscribe_ex (flux_t *h, const char *topic,
                                        int flags);
flux_future_t *flux_event_unsubscribe_ex (flux_t *h, const char *topic,
                                          int flags);
