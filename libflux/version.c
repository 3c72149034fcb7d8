/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "flux/version.h"

const char *flux_core_version_string (void)
{
    return FLUX_CORE_VERSION_STRING;
}

int flux_core_version (int *major, int *minor, int *patch)
{
    if (major)
        *major = FLUX_CORE_VERSION_MAJOR;
    if (minor)
        *minor = FLUX_CORE_VERSION_MINOR;
    if (patch)
        *patch = FLUX_CORE_VERSION_PATCH;
    return FLUX_CORE_VERSION_HEX;
}
