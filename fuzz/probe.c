/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Configure-time check that clang can link a libFuzzer target with
 * AddressSanitizer and UndefinedBehaviorSanitizer (fuzz/meson.build).
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}
