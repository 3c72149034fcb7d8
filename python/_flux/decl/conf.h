/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/conf.h (the va_list variants stay in C), and
 * flux_module_config_request_decode from flux/module.h, which needs
 * flux_conf_t.
 */
typedef struct flux_conf flux_conf_t;

flux_conf_t *flux_conf_create (void);
flux_conf_t *flux_conf_copy (const flux_conf_t *conf);
const flux_conf_t *flux_conf_incref (const flux_conf_t *conf);
void flux_conf_decref (const flux_conf_t *conf);
int flux_conf_unpack (const flux_conf_t *conf, flux_error_t *error,
                      const char *fmt, ...);
flux_conf_t *flux_conf_pack (const char *fmt, ...);
const flux_conf_t *flux_get_conf (flux_t *h);
int flux_set_conf_new (flux_t *h, const flux_conf_t *conf);
int flux_module_config_request_decode (const flux_msg_t *msg,
                                       flux_conf_t **conf);

/* jansson's encoder, so that Flux.conf_get() in a module can read the
 * config cached on its handle (flux_conf_unpack "o", then json_dumps).
 */
typedef struct json_t json_t;
char *json_dumps (const json_t *json, size_t flags);

enum flux_conf_flags {
    FLUX_CONF_INSTALLED = ...,
    FLUX_CONF_INTREE = ...,
    FLUX_CONF_AUTO = ...,
};

const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags);
bool flux_conf_intree (void);
