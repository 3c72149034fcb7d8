/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/conf.h */
enum flux_conf_flags {
    FLUX_CONF_INSTALLED = ...,
    FLUX_CONF_INTREE = ...,
    FLUX_CONF_AUTO = ...,
};

const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags);
bool flux_conf_intree (void);
