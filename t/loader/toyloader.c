/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* toyloader.so: the smallest module loader (doc/loaders.md).
 *
 * It serves suffix ".toy" only by its name: the broker finds
 * toyloader.so in the loader path ($FLUX_MODULE_LOADER_PATH) when asked
 * to load a file NAME.toy, and no file of the broker names it.  A .toy
 * file holds one line of text (an empty one fails to load, with the
 * loader's own words for why).  The module answers each NAME.hello
 * request with {"text": that line, "argc": its argument count} until the
 * broker removes it (NAME.shutdown stops the reactor, as in any module).
 *
 * It defines no interrupt and no fini symbol: both are optional.  A toy
 * module never ignores shutdown, and the loader holds nothing to release
 * at broker exit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <flux/core.h>

struct toy {
    char text[256];
    int argc;
};

static void hello_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct toy *toy = arg;

    (void)mh;
    if (flux_respond_pack (h, msg, "{s:s s:i}",
                           "text", toy->text,
                           "argc", toy->argc) < 0)
        flux_log_error (h, "error responding to hello");
}

/* Called on the module thread, after the broker's welcome is read and
 * the default methods (NAME.ping, NAME.shutdown, ...) are registered.
 */
int flux_module_loader_main (flux_t *h, const char *path,
                             int argc, char *argv[])
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    char topic[300];
    struct toy toy = { .argc = argc };
    flux_msg_handler_t *mh;
    FILE *f;
    int rc;

    (void)argv;
    if (!(f = fopen (path, "r"))) {
        int e = errno;
        flux_module_set_error (h, "toyloader: %s: %s", path, strerror (e));
        errno = e;
        return -1;
    }
    if (!fgets (toy.text, sizeof (toy.text), f)) {
        (void)fclose (f);
        flux_module_set_error (h, "toyloader: %s is empty", path);
        errno = EINVAL;
        return -1;
    }
    (void)fclose (f);
    toy.text[strcspn (toy.text, "\n")] = '\0';

    (void)snprintf (topic, sizeof (topic), "%s.hello", flux_module_name (h));
    match.topic_glob = topic;
    if (!(mh = flux_msg_handler_create (h, match, hello_cb, &toy)))
        return -1;
    flux_msg_handler_start (mh);
    rc = flux_reactor_run (flux_get_reactor (h), 0);
    flux_msg_handler_destroy (mh);
    return rc < 0 ? -1 : 0;
}
