/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* fsd.c: RFC 23 durations (see fsd.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsd.h"

int fsd_parse (const char *s, double *value)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {
        { "", 1. }, { "ms", 1e-3 }, { "s", 1. }, { "m", 60. }, { "h", 3600. },
        { "d", 86400. },
    };
    char *end;
    double v;

    if (!s) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    v = strtod (s, &end);
    if (errno || end == s || !(v >= 0) || isinf (v)) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++) {
        if (!strcmp (end, units[i].unit)) {
            *value = v * units[i].scale;
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}
