/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Loading the TOML parser plugin (see toml_plugin.h for why).
 *
 * The plugin is found beside the object that holds this code: dladdr()
 * names libflux-core.so (or, in libflux's unit tests, the test program,
 * which is built in the same directory), and libflux-tomljson.so is built
 * and installed in that same directory.  So the build tree and an install
 * need no path of their own, and a relocated install still finds its own
 * plugin.  A program that has libflux linked in (the flux command) looks
 * where libflux-core.so is built or installed.  It is loaded once per
 * process and never unloaded (a C++ runtime does not unload cleanly).
 */
#include "config.h"
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flux/conf.h"
#include "toml_plugin.h"

#define TOML_PLUGIN_NAME "libflux-tomljson.so"

typedef json_t *(*parse_file_f) (const char *path,
                                 struct tomljson_error *error);
typedef json_t *(*parse_string_f) (const char *s, size_t len,
                                   struct tomljson_error *error);

static pthread_once_t plugin_once = PTHREAD_ONCE_INIT;
static parse_file_f plugin_parse_file;
static parse_string_f plugin_parse_string;
static char plugin_error[256];

/* The directory of the object this function is in, into dir; *in_main
 * tells whether that object is the main program.
 */
static int own_directory (char *dir, size_t size, bool *in_main)
{
    Dl_info info;
    const char *name = NULL;
    char exe[PATH_MAX];
    char *slash;

    if (dladdr ((void *)own_directory, &info) && info.dli_fname)
        name = info.dli_fname;
    /* When this code is linked into the main program (the flux command,
     * libflux's unit tests), dladdr() names it as it was started: empty,
     * without a directory, or a path that resolves to /proc/self/exe.
     */
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof (exe) - 1);
    if (n < 0)
        return -1;
    exe[n] = '\0';
    *in_main = !name || !strchr (name, '/');
    if (!*in_main) {
        char *real = realpath (name, NULL);
        *in_main = real && !strcmp (real, exe);
        free (real);
    }
    if (*in_main)
        name = exe;
    if (snprintf (dir, size, "%s", name) >= (int)size)
        return -1;
    if ((slash = strrchr (dir, '/')))
        *slash = '\0';
    return 0;
}

/* Set dir to 'rel' (from 'exedir' unless absolute) and path to the
 * plugin in it (dir PATH_MAX, path PLUGIN_PATH_MAX bytes); true if the
 * plugin is there.
 */
#define PLUGIN_PATH_MAX (PATH_MAX + sizeof (TOML_PLUGIN_NAME) + 1)
static bool candidate (char *dir, char *path, const char *exedir,
                       const char *rel)
{
    if ((rel[0] == '/'
         ? snprintf (dir, PATH_MAX, "%s", rel)
         : snprintf (dir, PATH_MAX, "%s/%s", exedir, rel)) >= PATH_MAX
        || snprintf (path, PLUGIN_PATH_MAX, "%s/%s", dir,
                     TOML_PLUGIN_NAME) >= (int)PLUGIN_PATH_MAX)
        return false;
    return access (path, F_OK) == 0;
}

static void plugin_load (void)
{
    char dir[PATH_MAX];
    char path[PLUGIN_PATH_MAX];
    bool in_main;
    void *dso;

    if (own_directory (dir, sizeof (dir), &in_main) < 0) {
        snprintf (plugin_error, sizeof (plugin_error),
                  "TOML parser not found: cannot tell where libflux is");
        return;
    }
    snprintf (path, sizeof (path), "%s/%s", dir, TOML_PLUGIN_NAME);
    /* A program with libflux linked in (the flux command, in the
     * installation's bindir or the build tree's cmd/) is not beside the
     * plugin: it is where libflux-core.so is, found from the program's
     * directory (so that a relocated install still finds its own).
     */
    if (in_main && access (path, F_OK) < 0) {
        /* The layout this program is in first; if neither has the
         * plugin, the error names that one.
         */
        const char *first = FLUX_BIN_TO_LIBDIR, *second = "../libflux";
        char exedir[PATH_MAX];

        if (flux_conf_intree ()) {
            first = "../libflux";
            second = FLUX_BIN_TO_LIBDIR;
        }
        snprintf (exedir, sizeof (exedir), "%s", dir);
        if (!candidate (dir, path, exedir, first)
            && !candidate (dir, path, exedir, second))
            (void)candidate (dir, path, exedir, first);
    }
    if (!(dso = dlopen (path, RTLD_NOW | RTLD_LOCAL))) {
        /* dlerror() starts with the whole path, which can fill the 160
         * bytes a flux_error_t holds before the reason is reached: put
         * the reason first and the directory last, where truncation
         * costs least.
         */
        const char *reason = dlerror ();
        size_t len = strlen (path);
        if (reason && !strncmp (reason, path, len)
                   && !strncmp (reason + len, ": ", 2))
            reason += len + 2;
        /* A cut in the directory is fine (the test of the result only
         * tells gcc that truncation was thought of). */
        if (snprintf (plugin_error, sizeof (plugin_error),
                      "TOML parser %s not loaded: %s (looked in %s)",
                      TOML_PLUGIN_NAME, reason ? reason : "unknown error",
                      dir) >= (int)sizeof (plugin_error))
            plugin_error[sizeof (plugin_error) - 1] = '\0';
        return;
    }
    plugin_parse_file = (parse_file_f)dlsym (dso, "tomljson_parse_file");
    plugin_parse_string = (parse_string_f)dlsym (dso,
                                                 "tomljson_parse_string");
    if (!plugin_parse_file || !plugin_parse_string) {
        snprintf (plugin_error, sizeof (plugin_error),
                  "TOML parser %s lacks its entry points", TOML_PLUGIN_NAME);
        plugin_parse_file = NULL;
        plugin_parse_string = NULL;
    }
}

static int plugin_ready (const char *filename, struct tomljson_error *error)
{
    pthread_once (&plugin_once, plugin_load);
    if (plugin_parse_file)
        return 0;
    if (error) {
        snprintf (error->filename, sizeof (error->filename), "%s",
                  filename ? filename : "");
        error->line = -1;
        error->column = -1;
        snprintf (error->text, sizeof (error->text), "%s", plugin_error);
    }
    errno = ENOSYS;
    return -1;
}

json_t *toml_plugin_parse_file (const char *path,
                                struct tomljson_error *error)
{
    if (plugin_ready (path, error) < 0)
        return NULL;
    return plugin_parse_file (path, error);
}

json_t *toml_plugin_parse_string (const char *s, size_t len,
                                  struct tomljson_error *error)
{
    if (plugin_ready (NULL, error) < 0)
        return NULL;
    return plugin_parse_string (s, len, error);
}
