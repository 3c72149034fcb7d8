/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/attr.h */
#define FLUX_ATTRFLAG_IMMUTABLE ...

const char *flux_attr_get (flux_t *h, const char *name);
int flux_attr_set (flux_t *h, const char *name, const char *value);
int flux_attr_set_cacheonly (flux_t *h, const char *name,
                             const char *value);
