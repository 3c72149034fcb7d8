/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/service.h */
flux_future_t *flux_service_register (flux_t *h, const char *name);
flux_future_t *flux_service_unregister (flux_t *h, const char *name);
