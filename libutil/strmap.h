/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A hash table from strings to pointers, for the broker's look-ups by
 * name or uuid (peers, services, modules), which walked lists: with
 * thousands of modules, every response walked the peers and every load
 * the services and modules.  The lists stay where their order matters
 * (listings, shutdown); the map only finds.
 *
 * Keys are not copied: the key of an entry must stay unchanged and
 * alive as long as the entry (it is normally the value's own field).
 * A key may be inserted more than once: lookup finds the newest entry.
 */
#ifndef LIBUTIL_STRMAP_H
#define LIBUTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* FNV-1a, which a caller may also run byte by byte. */
#define STRMAP_HASH_INIT 14695981039346656037ull
static inline uint64_t strmap_hash_add (uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211ull;
}
static inline uint64_t strmap_hash (const char *s, size_t len)
{
    uint64_t h = STRMAP_HASH_INIT;
    for (size_t i = 0; i < len; i++)
        h = strmap_hash_add (h, (unsigned char)s[i]);
    return h;
}

/* NULL if out of memory. */
struct strmap *strmap_create (void);
void strmap_destroy (struct strmap *map);

/* Add 'value' under 'key'.  Returns 0, or -1 with errno ENOMEM. */
int strmap_insert (struct strmap *map, const char *key, void *value);

/* The newest value under the first 'len' bytes of 'key' (which need not
 * be terminated there), or NULL.
 */
void *strmap_lookup (const struct strmap *map, const char *key, size_t len);

/* Remove the entry of 'value' under 'key'.  Returns 0, or -1 with errno
 * ENOENT if there is none.
 */
int strmap_remove (struct strmap *map, const char *key, const void *value);

size_t strmap_count (const struct strmap *map);

#endif

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
