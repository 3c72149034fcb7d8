/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* zcert.c: CURVE certificate files (see zcert.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errprintf.h"
#include "zcert.h"

int zcert_write (const char *path, const char *pubkey, const char *seckey,
                 json_t *meta, flux_error_t *error)
{
    const char *key;
    json_t *value;
    FILE *f;
    int fd;

    if ((fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
        < 0)
        return errprintf (error, "%s: %s", path, strerror (errno));
    /* N.B. an existing file keeps its mode: make it the owner's alone. */
    if (fchmod (fd, 0600) < 0 || !(f = fdopen (fd, "w"))) {
        int saved_errno = errno;
        close (fd);
        errno = saved_errno;
        return errprintf (error, "%s: %s", path, strerror (errno));
    }
    fprintf (f, "#  ZeroMQ CURVE **Secret** Certificate\n"
                "#  DO NOT DISTRIBUTE\n\nmetadata\n");
    json_object_foreach (meta, key, value) {
        if (json_is_string (value))
            fprintf (f, "    %s = \"%s\"\n", key, json_string_value (value));
    }
    fprintf (f, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n",
             pubkey, seckey);
    if (fclose (f) != 0)
        return errprintf (error, "%s: %s", path, strerror (errno));
    return 0;
}

/* '    KEY = "VALUE"': the key and value, in place.  -1 if not that. */
static int parse_pair (char *line, char **key, char **value)
{
    char *p = line;
    char *end;

    while (*p == ' ' || *p == '\t')
        p++;
    *key = p;
    p += strspn (p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789.-");
    if (p == *key)
        return -1;
    end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '=')
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '"' || !(*value = p) || !(p = strchr (p, '"')))
        return -1;
    *p = '\0';
    *end = '\0';
    return 0;
}

int zcert_read (const char *path, char *pubkey, char *seckey, char *name,
                size_t size, flux_error_t *error)
{
    char line[256];
    char section[sizeof (line)] = "";
    struct stat sb;
    FILE *f;
    int lineno = 0;
    int rc = -1;

    pubkey[0] = seckey[0] = '\0';
    if (name && size)
        name[0] = '\0';
    if (!(f = fopen (path, "r")))
        return errprintf (error, "%s: %s", path, strerror (errno));
    if (fstat (fileno (f), &sb) < 0) {
        errprintf (error, "%s: %s", path, strerror (errno));
        goto done;
    }
    if (sb.st_mode & (S_IRGRP | S_IROTH)) {
        errno = EPERM;
        errprintf (error, "%s: readable by group/other", path);
        goto done;
    }
    while (fgets (line, sizeof (line), f)) {
        char *key, *value;
        lineno++;
        line[strcspn (line, "\r\n")] = '\0';
        if (line[0] == '#' || line[strspn (line, " \t")] == '\0')
            continue;
        if (line[0] != ' ' && line[0] != '\t') {
            snprintf (section, sizeof (section), "%s", line);
            continue;
        }
        if (parse_pair (line, &key, &value) < 0)
            goto parse_error;
        if (!strcmp (section, "curve")) {
            char *dst;
            if (!strcmp (key, "public-key"))
                dst = pubkey;
            else if (!strcmp (key, "secret-key"))
                dst = seckey;
            else
                goto parse_error;
            if (strlen (value) != ZCERT_KEY_LEN - 1)
                goto parse_error;
            memcpy (dst, value, ZCERT_KEY_LEN);
        }
        else if (!strcmp (section, "metadata")) {
            if (name && !strcmp (key, "name"))
                snprintf (name, size, "%s", value);
        }
        else
            goto parse_error;
    }
    if (!pubkey[0] || !seckey[0]) {
        errno = EINVAL;
        errprintf (error, "%s: no public-key and secret-key in a curve "
                   "section", path);
        goto done;
    }
    rc = 0;
    goto done;
parse_error:
    errno = EINVAL;
    errprintf (error, "%s:%d: parse error", path, lineno);
done:
    {
        int saved_errno = errno;
        fclose (f);
        errno = saved_errno;
    }
    return rc;
}
