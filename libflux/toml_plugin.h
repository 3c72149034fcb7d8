/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The TOML parser, a plugin libflux loads on its first use.
 *
 * The parser (libutil/tomljson.cpp, on toml++) is C++.  Linked into
 * libflux-core it would bring the C++ runtime into every process that
 * links libflux: each `flux` command, each client, the Python bindings.
 * Loading libstdc++ and toml++ costs about 1.1 ms of dynamic linking per
 * process start, which rc1, rc3 and every shell script using `flux` pay
 * once per command, while only the few processes that read a
 * configuration file parse TOML.  So the parser is built as
 * libflux-tomljson.so, installed beside libflux-core.so (and built beside
 * it in the build tree), and dlopened here the first time it is needed.
 *
 * Both functions behave as tomljson_parse_file() and
 * tomljson_parse_string() in tomljson.h, with one more failure: when the
 * plugin cannot be loaded, NULL with errno ENOSYS and the reason (the
 * plugin's path and dlerror's text) in error->text.
 */
#ifndef LIBFLUX_TOML_PLUGIN_H
#define LIBFLUX_TOML_PLUGIN_H

#include <jansson.h>
#include "tomljson.h"

json_t *toml_plugin_parse_file (const char *path,
                                struct tomljson_error *error);
json_t *toml_plugin_parse_string (const char *s, size_t len,
                                  struct tomljson_error *error);

#endif /* !LIBFLUX_TOML_PLUGIN_H */
