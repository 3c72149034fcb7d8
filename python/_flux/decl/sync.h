/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/sync.h */
flux_future_t *flux_sync_create (flux_t *h, double minimum);
