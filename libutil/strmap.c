/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* strmap.h: chained buckets, a power of two of them, doubled when the
 * entries outnumber them (never shrunk: the broker's tables grow to
 * their largest and stay about there).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

struct entry {
    const char *key;
    size_t len;
    uint64_t hash;
    void *value;
    struct entry *next;
};

struct strmap {
    struct entry **buckets;
    size_t nbuckets;
    size_t count;
};

enum { INITIAL_BUCKETS = 16 };

struct strmap *strmap_create (void)
{
    struct strmap *map;

    if (!(map = calloc (1, sizeof (*map)))
        || !(map->buckets = calloc (INITIAL_BUCKETS,
                                    sizeof (map->buckets[0])))) {
        free (map);
        errno = ENOMEM;
        return NULL;
    }
    map->nbuckets = INITIAL_BUCKETS;
    return map;
}

void strmap_destroy (struct strmap *map)
{
    if (map) {
        for (size_t i = 0; i < map->nbuckets; i++) {
            struct entry *e = map->buckets[i];
            while (e) {
                struct entry *next = e->next;
                free (e);
                e = next;
            }
        }
        free (map->buckets);
        free (map);
    }
}

/* Twice the buckets, each chain keeping its order (newest first). */
static int grow (struct strmap *map)
{
    size_t n = map->nbuckets * 2;
    struct entry **buckets;
    struct entry **tails;

    if (!(buckets = calloc (n, sizeof (buckets[0])))
        || !(tails = calloc (n, sizeof (tails[0])))) {
        free (buckets);
        return -1;
    }
    for (size_t i = 0; i < map->nbuckets; i++) {
        struct entry *e = map->buckets[i];
        while (e) {
            struct entry *next = e->next;
            size_t b = e->hash & (n - 1);
            e->next = NULL;
            if (tails[b])
                tails[b]->next = e;
            else
                buckets[b] = e;
            tails[b] = e;
            e = next;
        }
    }
    free (tails);
    free (map->buckets);
    map->buckets = buckets;
    map->nbuckets = n;
    return 0;
}

int strmap_insert (struct strmap *map, const char *key, void *value)
{
    struct entry *e;
    size_t b;

    if (!map || !key) {
        errno = EINVAL;
        return -1;
    }
    /* N.B. a table that cannot grow still works, with longer chains. */
    if (map->count >= map->nbuckets)
        (void)grow (map);
    if (!(e = malloc (sizeof (*e)))) {
        errno = ENOMEM;
        return -1;
    }
    e->key = key;
    e->len = strlen (key);
    e->hash = strmap_hash (key, e->len);
    e->value = value;
    b = e->hash & (map->nbuckets - 1);
    e->next = map->buckets[b];
    map->buckets[b] = e;
    map->count++;
    return 0;
}

void *strmap_lookup (const struct strmap *map, const char *key, size_t len)
{
    uint64_t hash;

    if (!map || !key)
        return NULL;
    hash = strmap_hash (key, len);
    for (struct entry *e = map->buckets[hash & (map->nbuckets - 1)]; e;
         e = e->next) {
        if (e->hash == hash && e->len == len && !memcmp (e->key, key, len))
            return e->value;
    }
    return NULL;
}

int strmap_remove (struct strmap *map, const char *key, const void *value)
{
    size_t len;
    uint64_t hash;
    struct entry **ep;

    if (!map || !key) {
        errno = EINVAL;
        return -1;
    }
    len = strlen (key);
    hash = strmap_hash (key, len);
    for (ep = &map->buckets[hash & (map->nbuckets - 1)]; *ep;
         ep = &(*ep)->next) {
        struct entry *e = *ep;
        if (e->value == value && e->hash == hash && e->len == len
            && !memcmp (e->key, key, len)) {
            *ep = e->next;
            free (e);
            map->count--;
            return 0;
        }
    }
    errno = ENOENT;
    return -1;
}

size_t strmap_count (const struct strmap *map)
{
    return map ? map->count : 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
