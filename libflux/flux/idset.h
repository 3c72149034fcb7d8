/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Sets of non-negative integer ids (flux-core's libidset API), with the
 * RFC 22 text form: comma-separated ids or ranges "lo-hi" in ascending
 * order, optionally inside one pair of brackets ("[0-3,5]").
 *
 * A set has a universe size N and holds ids 0 .. N-1.  With
 * IDSET_FLAG_AUTOGROW, setting an id >= N doubles N until it fits (up to
 * IDSET_MAX_UNIVERSE); without it, that set fails with EINVAL.  Clearing
 * an id outside the universe is a successful no-op.
 *
 * Errors: -1 or NULL with errno EINVAL (NULL set, invalid id or flag,
 * text that does not parse), ERANGE (universe beyond the maximum) or
 * ENOMEM.  What _create, _copy, _decode*, _union, _difference and
 * _intersect return is the caller's to idset_destroy; what idset_encode
 * returns is the caller's to free().
 */
#ifndef FLUX_IDSET_H
#define FLUX_IDSET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum idset_flags {
    IDSET_FLAG_AUTOGROW = 1,    /* grow the universe to fit a set id */
    IDSET_FLAG_BRACKETS = 2,    /* encode: brackets around 2 ids or more */
    IDSET_FLAG_RANGE = 4,       /* encode: runs as "lo-hi" */
    IDSET_FLAG_INITFULL = 8,    /* create (and grow) with every id set */
    IDSET_FLAG_COUNT_LAZY = 16, /* accepted; the count is always kept */
    IDSET_FLAG_ALLOC_RR = 32,   /* idset_alloc hands out ids round-robin */
};

typedef struct {
    char text[160];
} idset_error_t;

#define IDSET_INVALID_ID    (UINT_MAX - 1)
#define IDSET_MAX_UNIVERSE  ((size_t)(INT_MAX) + 1)

/* Returns a new empty set (caller idset_destroy()s it) of universe
 * 'size' (0: the default, 1024), or NULL with errno EINVAL (other
 * flags than AUTOGROW, INITFULL, COUNT_LAZY, ALLOC_RR), ERANGE (size
 * above IDSET_MAX_UNIVERSE) or ENOMEM.
 */
struct idset *idset_create (size_t size, int flags);
/* NULL-safe; preserves errno. */
void idset_destroy (struct idset *idset);
/* Returns the universe size (0 for a NULL set). */
size_t idset_universe_size (const struct idset *idset);
/* Returns a copy (same size and flags; caller destroys), or NULL with
 * errno EINVAL (NULL set) or ENOMEM.
 */
struct idset *idset_copy (const struct idset *idset);

/* Returns the text form (caller frees), e.g. "[0-3,5]"; the empty set
 * is "".  NULL with errno EINVAL (NULL set, flags other than BRACKETS
 * and RANGE) or ENOMEM.
 */
char *idset_encode (const struct idset *idset, int flags);

/* Decode (all of s, or 'len' chars of it) with AUTOGROW and the default
 * size.  Returns a new set (caller destroys), or NULL with errno EINVAL
 * (NULL s, text that does not parse), ERANGE or ENOMEM.
 */
struct idset *idset_decode (const char *s);
struct idset *idset_ndecode (const char *s, size_t len);
/* Decode 'len' chars of 's' (len < 0: all of it) into a new set of
 * 'size' (0: default; < 0: just big enough for the largest id, and the
 * empty set fails unless 'flags' has AUTOGROW) created with 'flags'.
 * Returns a new set (caller destroys), or NULL with errno as
 * idset_decode's, and 'error' (if not NULL) holding a sentence.
 */
struct idset *idset_decode_ex (const char *s, ssize_t len, ssize_t size,
                               int flags, idset_error_t *error);
/* Returns true if 's' parses and holds no id. */
bool idset_decode_empty (const char *s, ssize_t len);
/* Count and largest id (IDSET_INVALID_ID if empty) without a set. */
int idset_decode_info (const char *s, ssize_t len, size_t *count,
                       unsigned int *maxid, idset_error_t *error);
/* Set / clear the ids 's' names in 'idset'. */
int idset_decode_add (struct idset *idset, const char *s, ssize_t len,
                      idset_error_t *error);
int idset_decode_subtract (struct idset *idset, const char *s, ssize_t len,
                           idset_error_t *error);

/* A range may be given high to low. */
int idset_set (struct idset *idset, unsigned int id);
int idset_range_set (struct idset *idset, unsigned int lo, unsigned int hi);
int idset_clear (struct idset *idset, unsigned int id);
int idset_range_clear (struct idset *idset, unsigned int lo, unsigned int hi);

/* Returns whether 'id' is in the set: false for a NULL set or an id
 * outside it.
 */
bool idset_test (const struct idset *idset, unsigned int id);

/* Iteration: each returns IDSET_INVALID_ID when there is no such id. */
unsigned int idset_first (const struct idset *idset);
unsigned int idset_next (const struct idset *idset, unsigned int id);
unsigned int idset_last (const struct idset *idset);
unsigned int idset_prev (const struct idset *idset, unsigned int id);

/* Return the number of ids, and whether there is none: 0 / true for a
 * NULL set.
 */
size_t idset_count (const struct idset *idset);
bool idset_empty (const struct idset *idset);
/* Returns true for the same ids, whatever the universe sizes; false if
 * either is NULL.
 */
bool idset_equal (const struct idset *a, const struct idset *b);

/* Return new sets (caller destroys): a | b (AUTOGROW), a - b, a & b; for
 * union and difference a NULL b is the empty set.  NULL with errno
 * EINVAL for a NULL a (intersect: or b), or ENOMEM.
 */
struct idset *idset_union (const struct idset *a, const struct idset *b);
struct idset *idset_difference (const struct idset *a, const struct idset *b);
struct idset *idset_intersect (const struct idset *a, const struct idset *b);
/* In place: a |= b, a -= b (b may be NULL: nothing to do). */
int idset_add (struct idset *a, const struct idset *b);
int idset_subtract (struct idset *a, const struct idset *b);
#define idset_clear_all(x)  idset_subtract ((x), (x))
/* Returns true if a and b share an id; false if either is NULL. */
bool idset_has_intersection (const struct idset *a, const struct idset *b);

/* An id allocator on a set created with IDSET_FLAG_INITFULL: alloc takes
 * the lowest free id (or the next after the last one given, with
 * ALLOC_RR), growing the set if AUTOGROW allows, else EINVAL.  free
 * gives it back; free_check fails with EEXIST if it was not taken.
 */
int idset_alloc (struct idset *idset, unsigned int *val);
void idset_free (struct idset *idset, unsigned int val);
int idset_free_check (struct idset *idset, unsigned int val);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_IDSET_H */
