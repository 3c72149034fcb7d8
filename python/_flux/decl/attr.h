/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/attr.h */
#define FLUX_ATTRFLAG_IMMUTABLE ...

const char *flux_attr_get (flux_t *h, const char *name);
int flux_attr_set (flux_t *h, const char *name, const char *value);
int flux_attr_set_cacheonly (flux_t *h, const char *name,
                             const char *value);
int flux_attr_set_ex (flux_t *h, const char *name, const char *value,
                      bool force, flux_error_t *error);
const char *flux_attr_cache_first (flux_t *h);
const char *flux_attr_cache_next (flux_t *h);
int flux_get_size (flux_t *h, uint32_t *size);
int flux_get_instance_starttime (flux_t *h, double *starttime);
