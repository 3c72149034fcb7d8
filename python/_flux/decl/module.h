/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/module.h: what a module written in Python calls, and
 * the module side of the protocol (initialize, register_handlers,
 * finalize) so the protocol can be driven from Python in tests.  The
 * loader symbols stay in C.  flux_module_config_request_decode is in
 * conf.h, after the flux_conf_t it returns.
 */
#define FLUX_MODSTATE_INIT ...
#define FLUX_MODSTATE_RUNNING ...
#define FLUX_MODSTATE_FINALIZING ...
#define FLUX_MODSTATE_EXITED ...

int flux_module_initialize (flux_t *h, char **args, flux_error_t *error);
int flux_module_register_default_methods (flux_t *h, const char *name,
                                          flux_error_t *error);
int flux_module_register_handlers (flux_t *h, flux_error_t *error);
int flux_module_set_running (flux_t *h);
bool flux_module_debug_test (flux_t *h, int flag, bool clear);
void flux_module_set_error (flux_t *h, const char *fmt, ...);
int flux_module_finalize (flux_t *h, int errnum, flux_error_t *error);
const char *flux_module_name (flux_t *h);
const char *flux_module_uuid (flux_t *h);
