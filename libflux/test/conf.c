/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for flux_conf_t, the config cached on a handle, and the
 * built-in paths (flux_conf_builtin_get), whose in-tree values are what
 * lets the build tree run uninstalled.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "flux/core.h"

static void test_create_pack_unpack (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    const char *s = NULL;
    int i = 0;
    json_t *o = NULL;
    (void)state;

    assert_non_null ((conf = flux_conf_create ()));
    assert_int_equal (flux_conf_unpack (conf, NULL, "{}"), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    assert_true (json_is_object (o));
    assert_int_equal (json_object_size (o), 0);
    flux_conf_decref (conf);

    assert_non_null ((conf = flux_conf_pack ("{s:{s:s s:i}}",
                                             "a", "b", "text", "c", 42)));
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:{s:s s:i}}",
                                        "a", "b", &s, "c", &i), 0);
    assert_string_equal (s, "text");
    assert_int_equal (i, 42);
    /* optional keys that are absent leave the variable alone */
    i = 7;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s?{s?i}}",
                                        "x", "y", &i), 0);
    assert_int_equal (i, 7);
    flux_conf_decref (conf);
}

/* A missing key, a wrong type, a strict object with extra keys: EINVAL
 * with jansson's words.
 */
static void test_unpack_errors (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    int i;
    const char *s;
    (void)state;

    assert_non_null ((conf = flux_conf_pack ("{s:i s:s}", "n", 1, "t", "x")));
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:i}",
                                        "missing", &i), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "Object item not found: missing");

    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:s}", "n", &s), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "Expected string, got integer");

    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:i !}", "n", &i),
                      -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "1 object item(s) left unpacked: t");

    /* no error buffer: still -1 and EINVAL */
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:i}", "missing", &i),
                      -1);
    assert_int_equal (errno, EINVAL);

    /* NULL conf, NULL or empty format */
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (NULL, &error, "{s:i}", "n", &i), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, strerror (EINVAL));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, ""), -1);
    assert_int_equal (errno, EINVAL);
    flux_conf_decref (conf);
}

static void test_pack_errors (void **state)
{
    (void)state;

    errno = 0;
    assert_null (flux_conf_pack (NULL));
    assert_int_equal (errno, EINVAL);
    /* a config is an object */
    errno = 0;
    assert_null (flux_conf_pack ("[i]", 1));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_conf_pack ("{s:s}", "k", NULL));
    assert_int_equal (errno, EINVAL);
}

/* A copy is deep: changing what a copy holds leaves the original.
 * References: incref returns its argument, the last decref frees (run
 * under valgrind/ASan to see it), decref keeps errno.
 */
static void test_copy_refcount (void **state)
{
    flux_conf_t *conf;
    flux_conf_t *cpy;
    json_t *o;
    int i = 0;
    (void)state;

    assert_non_null ((conf = flux_conf_pack ("{s:{s:i}}", "a", "b", 1)));
    assert_non_null ((cpy = flux_conf_copy (conf)));
    assert_int_equal (flux_conf_unpack (cpy, NULL, "{s:o}", "a", &o), 0);
    assert_int_equal (json_object_set_new (o, "b", json_integer (2)), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    assert_int_equal (i, 1);
    assert_int_equal (flux_conf_unpack (cpy, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    assert_int_equal (i, 2);
    flux_conf_decref (cpy);

    assert_ptr_equal (flux_conf_incref (conf), conf);
    flux_conf_decref (conf);
    /* still alive after one decref of two */
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    errno = 42;
    flux_conf_decref (conf);
    assert_int_equal (errno, 42);

    assert_null (flux_conf_incref (NULL));
    flux_conf_decref (NULL);
    errno = 0;
    assert_null (flux_conf_copy (NULL));
    assert_int_equal (errno, EINVAL);
}

/* The handle's config: an empty one until set; set gives the handle
 * the reference and replaces (and drops) the previous one; set NULL
 * goes back to empty.
 */
static void test_handle_conf (void **state)
{
    flux_t *h;
    const flux_conf_t *conf;
    flux_conf_t *mine;
    json_t *o;
    int i = 0;
    (void)state;

    errno = 0;
    assert_null (flux_get_conf (NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_set_conf_new (NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);

    assert_non_null ((h = flux_open ("interthread://test-conf", 0)));
    assert_non_null ((conf = flux_get_conf (h)));
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    assert_int_equal (json_object_size (o), 0);
    /* the same object each time */
    assert_ptr_equal (flux_get_conf (h), conf);

    assert_non_null ((mine = flux_conf_pack ("{s:i}", "v", 1)));
    assert_int_equal (flux_set_conf_new (h, mine), 0);
    assert_ptr_equal (flux_get_conf (h), mine);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "{s:i}",
                                        "v", &i), 0);
    assert_int_equal (i, 1);

    /* a reader that keeps it past the next set takes a reference */
    conf = flux_conf_incref (flux_get_conf (h));
    assert_non_null ((mine = flux_conf_pack ("{s:i}", "v", 2)));
    assert_int_equal (flux_set_conf_new (h, mine), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:i}", "v", &i), 0);
    assert_int_equal (i, 1);
    flux_conf_decref (conf);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "{s:i}",
                                        "v", &i), 0);
    assert_int_equal (i, 2);

    assert_int_equal (flux_set_conf_new (h, NULL), 0);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "o", &o), 0);
    assert_int_equal (json_object_size (o), 0);
    flux_close (h);
}

/* flux_conf_vunpack / vpack through a variadic wrapper of our own. */
static int my_unpack (const flux_conf_t *conf, flux_error_t *error,
                      const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_conf_vunpack (conf, error, fmt, ap);
    va_end (ap);
    return rc;
}

static flux_conf_t *my_pack (const char *fmt, ...)
{
    va_list ap;
    flux_conf_t *conf;

    va_start (ap, fmt);
    conf = flux_conf_vpack (fmt, ap);
    va_end (ap);
    return conf;
}

static void test_va (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    int i = 0;
    (void)state;

    assert_non_null ((conf = my_pack ("{s:i}", "k", 9)));
    assert_int_equal (my_unpack (conf, &error, "{s:i}", "k", &i), 0);
    assert_int_equal (i, 9);
    assert_int_equal (my_unpack (conf, &error, "{s:i}", "j", &i), -1);
    assert_string_equal (error.text, "Object item not found: j");
    flux_conf_decref (conf);
}

/* Write 'text' to DIR/NAME. */
static void write_file (const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *f;

    snprintf (path, sizeof (path), "%s/%s", dir, name);
    assert_non_null ((f = fopen (path, "w")));
    fputs (text, f);
    fclose (f);
}

static void assert_conf (const flux_conf_t *conf, const char *expected)
{
    json_t *o;
    json_t *want = json_loads (expected, 0, NULL);
    char *got;

    assert_non_null (want);
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    got = json_dumps (o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!json_equal (o, want))
        fail_msg ("got %s, want %s", got, expected);
    free (got);
    json_decref (want);
}

static void rm_dir (const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
}

static void test_parse_dir (void **state)
{
    char dir[] = "/tmp/conf-test-XXXXXX";
    char path[1100];
    flux_error_t error;
    flux_conf_t *conf;
    (void)state;

    assert_non_null (mkdtemp (dir));
    /* An empty directory is an empty config. */
    assert_non_null ((conf = flux_conf_parse (dir, &error)));
    assert_conf (conf, "{}");
    flux_conf_decref (conf);

    write_file (dir, "a.toml", "[t]\nx = 1\ny = 'a'\n");
    write_file (dir, "b.toml", "[t]\ny = 'b'\n[u]\nz = true\n");
    write_file (dir, "c.json", "{not toml or json");
    assert_non_null ((conf = flux_conf_parse (dir, &error)));
    assert_conf (conf, "{\"t\":{\"x\":1,\"y\":\"b\"},\"u\":{\"z\":true}}");
    flux_conf_decref (conf);

    /* One file, TOML or JSON. */
    snprintf (path, sizeof (path), "%s/a.toml", dir);
    assert_non_null ((conf = flux_conf_parse (path, &error)));
    assert_conf (conf, "{\"t\":{\"x\":1,\"y\":\"a\"}}");
    flux_conf_decref (conf);
    write_file (dir, "ok.json", "{\"j\": [1]}");
    snprintf (path, sizeof (path), "%s/ok.json", dir);
    assert_non_null ((conf = flux_conf_parse (path, &error)));
    assert_conf (conf, "{\"j\":[1]}");
    flux_conf_decref (conf);

    /* A bad file: FILE:LINE: reason. */
    write_file (dir, "z.toml", "a = 1\n\n[oops\n");
    errno = 0;
    assert_null (flux_conf_parse (dir, &error));
    assert_int_equal (errno, EINVAL);
    snprintf (path, sizeof (path), "%s/z.toml:3: ", dir);
    assert_true (strncmp (error.text, path, strlen (path)) == 0);

    rm_dir (dir);
    errno = 0;
    assert_null (flux_conf_parse (dir, &error));
    assert_int_equal (errno, ENOENT);
    snprintf (path, sizeof (path), "stat: %s: %s", dir, strerror (ENOENT));
    assert_string_equal (error.text, path);

    errno = 0;
    assert_null (flux_conf_parse (NULL, &error));
    assert_int_equal (errno, EINVAL);
}

static void test_update (void **state)
{
    flux_error_t error;
    flux_conf_t *conf = flux_conf_create ();
    (void)state;

    assert_non_null (conf);
    assert_int_equal (flux_conf_update (conf, "a.b=3", &error), 0);
    assert_int_equal (flux_conf_update (conf, "a.s=text", &error), 0);
    assert_int_equal (flux_conf_update (conf, "{\"j\":{\"k\":1}}", &error),
                      0);
    assert_int_equal (flux_conf_update (conf, "[j]\nl = 2\n", &error), 0);
    assert_conf (conf, "{\"a\":{\"b\":3,\"s\":\"text\"},"
                       "\"j\":{\"k\":1,\"l\":2}}");
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "=3", &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "value must have a key in KEY=VAL");
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "[x\n", &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_true (strncmp (error.text, "line 1: ", 8) == 0);
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "/nonexistent.toml", &error),
                      -1);
    assert_int_equal (errno, ENOENT);
    assert_int_equal (flux_conf_update (NULL, "a=1", &error), -1);
    flux_conf_decref (conf);
}


/*
 * Built-in paths.
 */

/* Every name flux/conf.h documents. */
static const char *builtin_names[] = {
    "broker_path", "cmd_path", "module_path", "loader_path", "python_path",
    "rc1_path", "rc3_path", "python", "version",
};
#define NAMES (sizeof (builtin_names) / sizeof (builtin_names[0]))

/* True if PATH is DIR or inside it. */
static bool path_under (const char *path, const char *dir)
{
    size_t len = strlen (dir);
    return strncmp (path, dir, len) == 0
           && (path[len] == '\0' || path[len] == '/');
}

static bool is_dir (const char *path)
{
    struct stat sb;
    return stat (path, &sb) == 0 && S_ISDIR (sb.st_mode);
}

static bool file_in (const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf (path, sizeof (path), "%s/%s", dir, name);
    return access (path, R_OK) == 0;
}

/* Call fn (element, arg) on each element of a colon-separated list;
 * true if it is true for at least one ('any') or for all.
 */
static bool each_element (const char *list, bool any,
                          bool (*fn)(const char *, void *), void *arg)
{
    char *copy = strdup (list);
    char *save = NULL;
    bool result = !any;

    assert_non_null (copy);
    for (char *e = strtok_r (copy, ":", &save); e;
         e = strtok_r (NULL, ":", &save)) {
        if (fn (e, arg) == any) {
            result = any;
            break;
        }
    }
    free (copy);
    return result;
}

static bool el_is_dir (const char *e, void *arg)
{
    (void)arg;
    return is_dir (e);
}

static bool el_has_file (const char *e, void *arg)
{
    return file_in (e, arg);
}

static bool el_in_trees (const char *e, void *arg)
{
    (void)arg;
    return path_under (e, FLUX_SRCDIR) || path_under (e, FLUX_BUILDDIR);
}

static bool el_equals (const char *e, void *arg)
{
    return strcmp (e, arg) == 0;
}

/* The in-tree values name what this build made, in the build tree (or,
 * for sources such as the rc scripts and the Python package, the source
 * tree): the programs, modules and loaders exist there.
 */
static void test_builtin_intree (void **state)
{
    const char *s;
    char path[PATH_MAX];
    (void)state;

    assert_non_null ((s = flux_conf_builtin_get ("broker_path",
                                                 FLUX_CONF_INTREE)));
    snprintf (path, sizeof (path), "%s/broker/flux-broker", FLUX_BUILDDIR);
    assert_string_equal (s, path);
    assert_int_equal (access (s, X_OK), 0);

    assert_non_null ((s = flux_conf_builtin_get ("cmd_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (path_under (s, FLUX_BUILDDIR));
    snprintf (path, sizeof (path), "%s/flux", s);
    assert_int_equal (access (path, X_OK), 0);

    assert_non_null ((s = flux_conf_builtin_get ("module_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (each_element (s, false, el_in_trees, NULL));
    assert_true (each_element (s, false, el_is_dir, NULL));

    /* N.B. a list: the loaders built in the tree, pyloader among them. */
    assert_non_null ((s = flux_conf_builtin_get ("loader_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (each_element (s, false, el_in_trees, NULL));
    assert_true (each_element (s, false, el_is_dir, NULL));
    assert_true (each_element (s, true, el_has_file, "pyloader.so"));

    /* The package's sources, and the build dir with _flux. */
    assert_non_null ((s = flux_conf_builtin_get ("python_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (each_element (s, false, el_in_trees, NULL));
    assert_true (each_element (s, true, el_has_file, "flux/__init__.py"));
    assert_true (each_element (s, true, el_has_file, "_flux"));

    assert_non_null ((s = flux_conf_builtin_get ("rc1_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (path_under (s, FLUX_SRCDIR));
    assert_int_equal (access (s, R_OK), 0);
    assert_non_null ((s = flux_conf_builtin_get ("rc3_path",
                                                 FLUX_CONF_INTREE)));
    assert_true (path_under (s, FLUX_SRCDIR));
    assert_int_equal (access (s, R_OK), 0);

    assert_non_null ((s = flux_conf_builtin_get ("python",
                                                 FLUX_CONF_INTREE)));
    assert_int_equal (access (s, X_OK), 0);
    assert_non_null ((s = flux_conf_builtin_get ("version",
                                                 FLUX_CONF_INTREE)));
    assert_string_equal (s, PACKAGE_VERSION);
}

/* The installed values are the install layout, and none of them points
 * into the source or build tree; the interpreter and the version are
 * the same in both.
 */
static void test_builtin_installed (void **state)
{
    const char *s;
    (void)state;

    s = flux_conf_builtin_get ("broker_path", FLUX_CONF_INSTALLED);
    assert_string_equal (s, FLUX_INSTALL_LIBEXECDIR "/flux-broker");
    s = flux_conf_builtin_get ("cmd_path", FLUX_CONF_INSTALLED);
    assert_string_equal (s, FLUX_INSTALL_BINDIR);
    s = flux_conf_builtin_get ("module_path", FLUX_CONF_INSTALLED);
    assert_true (each_element (s, true, el_equals,
                               (void *)FLUX_INSTALL_MODULEDIR));
    s = flux_conf_builtin_get ("loader_path", FLUX_CONF_INSTALLED);
    assert_true (each_element (s, true, el_equals,
                               (void *)FLUX_INSTALL_LOADERDIR));
    s = flux_conf_builtin_get ("python_path", FLUX_CONF_INSTALLED);
    assert_string_equal (s, FLUX_INSTALL_PYTHONDIR);
    s = flux_conf_builtin_get ("rc1_path", FLUX_CONF_INSTALLED);
    assert_string_equal (s, FLUX_INSTALL_CONFDIR "/rc1");
    s = flux_conf_builtin_get ("rc3_path", FLUX_CONF_INSTALLED);
    assert_string_equal (s, FLUX_INSTALL_CONFDIR "/rc3");

    for (size_t i = 0; i < NAMES; i++) {
        const char *name = builtin_names[i];
        const char *inst = flux_conf_builtin_get (name, FLUX_CONF_INSTALLED);
        const char *tree = flux_conf_builtin_get (name, FLUX_CONF_INTREE);

        assert_non_null (inst);
        assert_non_null (tree);
        if (!strcmp (name, "python") || !strcmp (name, "version")) {
            assert_string_equal (inst, tree);
            continue;
        }
        /* Not one element inside the trees. */
        if (each_element (inst, true, el_in_trees, NULL))
            fail_msg ("installed %s=%s points into the build", name, inst);
        if (!strcmp (inst, tree))
            fail_msg ("%s: the same value in both cases: %s", name, inst);
    }
}

/* A name is looked up whole and exactly; NULL and unknown names are
 * EINVAL, whatever the flags.
 */
static void test_builtin_unknown (void **state)
{
    const struct {
        const char *name;
        enum flux_conf_flags flags;
    } bad[] = {
        { "nosuch", FLUX_CONF_AUTO },
        { "nosuch", FLUX_CONF_INTREE },
        { "", FLUX_CONF_INSTALLED },
        { "broker", FLUX_CONF_INSTALLED },
        { "broker_path/", FLUX_CONF_AUTO },
        { "BROKER_PATH", FLUX_CONF_AUTO },
        { NULL, FLUX_CONF_AUTO },
    };
    (void)state;

    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        errno = 0;
        if (flux_conf_builtin_get (bad[i].name, bad[i].flags) != NULL
            || errno != EINVAL)
            fail_msg ("name %s: want NULL with EINVAL (errno %d)",
                      bad[i].name ? bad[i].name : "NULL", errno);
    }
}

/* This program, run from the build tree: FLUX_CONF_AUTO is the in-tree
 * column, for every name.
 */
static void test_builtin_auto_here (void **state)
{
    (void)state;

    assert_true (flux_conf_intree ());
    for (size_t i = 0; i < NAMES; i++) {
        const char *name = builtin_names[i];
        assert_string_equal (flux_conf_builtin_get (name, FLUX_CONF_AUTO),
                             flux_conf_builtin_get (name, FLUX_CONF_INTREE));
    }
}

/* The child mode of this program (main): print what the process decided,
 * "intree=0|1", then NAME=VALUE for each name with FLUX_CONF_AUTO.
 */
static int print_auto (void)
{
    printf ("intree=%d\n", flux_conf_intree () ? 1 : 0);
    for (size_t i = 0; i < NAMES; i++)
        printf ("%s=%s\n", builtin_names[i],
                flux_conf_builtin_get (builtin_names[i], FLUX_CONF_AUTO));
    return 0;
}

/* What print_auto would print for a process that decided 'intree'. */
static char *expected_auto (bool intree)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream (&buf, &size);

    assert_non_null (f);
    fprintf (f, "intree=%d\n", intree ? 1 : 0);
    for (size_t i = 0; i < NAMES; i++)
        fprintf (f, "%s=%s\n", builtin_names[i],
                 flux_conf_builtin_get (builtin_names[i], intree
                                        ? FLUX_CONF_INTREE
                                        : FLUX_CONF_INSTALLED));
    fclose (f);
    return buf;
}

/* Run PROG --print-auto and return its output (caller frees). */
static char *run_print_auto (const char *prog)
{
    int pfd[2];
    pid_t pid;
    int status;
    char *buf = NULL;
    size_t size = 0;
    FILE *out;
    FILE *in;
    int c;

    assert_int_equal (pipe (pfd), 0);
    assert_true ((pid = fork ()) >= 0);
    if (pid == 0) {
        dup2 (pfd[1], STDOUT_FILENO);
        close (pfd[0]);
        close (pfd[1]);
        execl (prog, prog, "--print-auto", (char *)NULL);
        _exit (127);
    }
    close (pfd[1]);
    assert_non_null ((in = fdopen (pfd[0], "r")));
    assert_non_null ((out = open_memstream (&buf, &size)));
    while ((c = fgetc (in)) != EOF)
        fputc (c, out);
    fclose (in);
    fclose (out);
    assert_int_equal (waitpid (pid, &status, 0), pid);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("%s --print-auto: status 0x%x", prog, status);
    return buf;
}

/* A copy of this program's executable at DIR/test_conf. */
static void copy_self (const char *dir, char *path, size_t size)
{
    FILE *in;
    FILE *out;
    int c;

    snprintf (path, size, "%s/test_conf", dir);
    assert_non_null ((in = fopen ("/proc/self/exe", "r")));
    assert_non_null ((out = fopen (path, "w")));
    while ((c = fgetc (in)) != EOF)
        fputc (c, out);
    fclose (in);
    assert_int_equal (fclose (out), 0);
    assert_int_equal (chmod (path, 0755), 0);
}

/* Run PROG --print-auto: true if it decided 'intree' and printed the
 * values of that column; if not, say what it printed.  N.B. no assert
 * here, so that the caller removes its directory either way.
 */
static bool auto_is (const char *prog, bool intree)
{
    char *got = run_print_auto (prog);
    char *want = expected_auto (intree);
    bool ok = strcmp (got, want) == 0;

    if (!ok)
        print_message ("%s:\n%s\nwant:\n%s", prog, got, want);
    free (got);
    free (want);
    return ok;
}

/* Make a directory from TEMPLATE (mkdtemp), put a copy of this program
 * in it and, if LINK_TO is not NULL, a symlink "link" to LINK_TO; run
 * the copy, then the link, with --print-auto; remove the directory.
 * True if the copy decided 'copy_intree' and the link 'link_intree'.
 */
static bool auto_in_dir (const char *template, bool copy_intree,
                         const char *link_to, bool link_intree)
{
    char dir[PATH_MAX - 16];  /* room for "/test_conf" in path */
    char path[PATH_MAX];
    bool ok;

    snprintf (dir, sizeof (dir), "%s", template);
    assert_non_null (mkdtemp (dir));
    copy_self (dir, path, sizeof (path));
    ok = auto_is (path, copy_intree);
    if (link_to) {
        snprintf (path, sizeof (path), "%s/link", dir);
        ok = symlink (link_to, path) == 0 && auto_is (path, link_intree)
             && ok;
    }
    rm_dir (dir);
    return ok;
}

/* How FLUX_CONF_AUTO decides: by where the executable that runs is (its
 * real path, /proc/self/exe), inside FLUX_BUILDDIR or not.  The same
 * program, copied: under the build tree it is in-tree, outside it (in
 * /tmp, or in a directory beside the build tree whose name merely begins
 * like it) it is installed; a symlink elsewhere to the build tree's
 * program is in-tree, since the kernel resolves it.
 */
static void test_builtin_auto_where (void **state)
{
    char self[PATH_MAX];
    ssize_t n;
    (void)state;

    assert_true ((n = readlink ("/proc/self/exe", self,
                                sizeof (self) - 1)) > 0);
    self[n] = '\0';
    assert_true (path_under (self, FLUX_BUILDDIR));
    assert_true (auto_is (self, true));

    assert_true (auto_in_dir ("/tmp/conf-auto-XXXXXX", false, self, true));
    /* FLUX_BUILDDIR-XXXXXX: a prefix of the name is not the tree. */
    assert_true (auto_in_dir (FLUX_BUILDDIR "-conf-XXXXXX", false, NULL,
                              false));
    /* Any depth inside the build tree. */
    assert_true (auto_in_dir (FLUX_BUILDDIR "/libflux/conf-XXXXXX", true,
                              NULL, false));
}

int main (int argc, char *argv[])
{
    if (argc == 2 && !strcmp (argv[1], "--print-auto"))
        return print_auto ();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_create_pack_unpack),
        cmocka_unit_test (test_unpack_errors),
        cmocka_unit_test (test_pack_errors),
        cmocka_unit_test (test_copy_refcount),
        cmocka_unit_test (test_handle_conf),
        cmocka_unit_test (test_va),
        cmocka_unit_test (test_parse_dir),
        cmocka_unit_test (test_update),
        cmocka_unit_test (test_builtin_intree),
        cmocka_unit_test (test_builtin_installed),
        cmocka_unit_test (test_builtin_unknown),
        cmocka_unit_test (test_builtin_auto_here),
        cmocka_unit_test (test_builtin_auto_where),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
