/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Id sets as a plain bitmap of 64-bit words with a running count.
 *
 * flux-core keeps a van Emde Boas tree; a bitmap holds the same ids in
 * the same memory order of magnitude (one bit per id of the universe)
 * and finds the next or previous member a word at a time, which is
 * plenty for the rank and id sets modules keep.  The behaviour that
 * shows (errors, growth, text form) follows flux-core's libidset.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux/idset.h"

enum {
    DEFAULT_SIZE = 1024,
    WORD_BITS = 64,
};

struct idset {
    uint64_t *bits;
    size_t size;        /* universe: ids 0 .. size-1 */
    size_t count;
    int flags;
    unsigned int rr_last;
};

static size_t nwords (size_t size)
{
    return (size + WORD_BITS - 1) / WORD_BITS;
}

static bool valid_id (unsigned int id)
{
    return id != UINT_MAX && id != IDSET_INVALID_ID;
}

static bool bit_get (const struct idset *s, size_t id)
{
    return (s->bits[id / WORD_BITS] >> (id % WORD_BITS)) & 1;
}

/* Set or clear one bit of the universe, keeping the count. */
static void bit_put (struct idset *s, size_t id, bool on)
{
    uint64_t mask = (uint64_t)1 << (id % WORD_BITS);
    uint64_t *w = &s->bits[id / WORD_BITS];

    if (on && !(*w & mask)) {
        *w |= mask;
        s->count++;
    }
    else if (!on && (*w & mask)) {
        *w &= ~mask;
        s->count--;
    }
}

/* Set every bit in [from, to), a word at a time where it can. */
static void fill (struct idset *s, size_t from, size_t to)
{
    size_t id = from;

    while (id < to && id % WORD_BITS != 0)
        bit_put (s, id++, true);
    while (to - id >= WORD_BITS) {
        s->count += WORD_BITS - (size_t)__builtin_popcountll (
                                    s->bits[id / WORD_BITS]);
        s->bits[id / WORD_BITS] = ~(uint64_t)0;
        id += WORD_BITS;
    }
    while (id < to)
        bit_put (s, id++, true);
}

struct idset *idset_create (size_t size, int flags)
{
    struct idset *s;
    int valid = IDSET_FLAG_AUTOGROW | IDSET_FLAG_INITFULL
                | IDSET_FLAG_COUNT_LAZY | IDSET_FLAG_ALLOC_RR;

    if ((flags & ~valid)) {
        errno = EINVAL;
        return NULL;
    }
    if (size == 0)
        size = DEFAULT_SIZE;
    if (size > IDSET_MAX_UNIVERSE) {
        errno = ERANGE;
        return NULL;
    }
    if (!(s = calloc (1, sizeof (*s))))
        return NULL;
    if (!(s->bits = calloc (nwords (size), sizeof (uint64_t)))) {
        free (s);
        errno = ENOMEM;
        return NULL;
    }
    s->size = size;
    s->flags = flags;
    s->rr_last = IDSET_INVALID_ID;
    if ((flags & IDSET_FLAG_INITFULL))
        fill (s, 0, size);
    return s;
}

void idset_destroy (struct idset *s)
{
    if (s) {
        int saved_errno = errno;
        free (s->bits);
        free (s);
        errno = saved_errno;
    }
}

size_t idset_universe_size (const struct idset *s)
{
    return s ? s->size : 0;
}

static struct idset *copy_flags (const struct idset *s, int flags)
{
    struct idset *cpy;
    size_t n = nwords (s->size);

    if (!(cpy = malloc (sizeof (*cpy))))
        return NULL;
    *cpy = *s;
    cpy->flags = flags;
    if (!(cpy->bits = malloc (n * sizeof (uint64_t)))) {
        free (cpy);
        errno = ENOMEM;
        return NULL;
    }
    memcpy (cpy->bits, s->bits, n * sizeof (uint64_t));
    return cpy;
}

struct idset *idset_copy (const struct idset *s)
{
    if (!s) {
        errno = EINVAL;
        return NULL;
    }
    return copy_flags (s, s->flags);
}

/* Double the universe until it holds 'size' ids.  EINVAL without
 * AUTOGROW, ERANGE past the maximum.  New ids are set with INITFULL.
 */
static int grow (struct idset *s, size_t size)
{
    size_t newsize = s->size;
    uint64_t *bits;
    size_t oldwords, newwords;

    if (size <= s->size)
        return 0;
    while (newsize < size) {
        if (newsize > IDSET_MAX_UNIVERSE / 2) {
            newsize = IDSET_MAX_UNIVERSE;
            break;
        }
        newsize *= 2;
    }
    if (newsize < size) {
        errno = ERANGE;
        return -1;
    }
    if (!(s->flags & IDSET_FLAG_AUTOGROW)) {
        errno = EINVAL;
        return -1;
    }
    oldwords = nwords (s->size);
    newwords = nwords (newsize);
    if (!(bits = realloc (s->bits, newwords * sizeof (uint64_t)))) {
        errno = ENOMEM;
        return -1;
    }
    memset (bits + oldwords, 0, (newwords - oldwords) * sizeof (uint64_t));
    s->bits = bits;
    size_t oldsize = s->size;
    s->size = newsize;
    if ((s->flags & IDSET_FLAG_INITFULL))
        fill (s, oldsize, newsize);
    return 0;
}

/* Check the arguments of a range operation, and put its ends (given in
 * either order) as lo <= hi.
 */
static int range_check (struct idset *s, unsigned int *lo, unsigned int *hi)
{
    if (!s || !valid_id (*lo) || !valid_id (*hi)) {
        errno = EINVAL;
        return -1;
    }
    if (*hi < *lo) {
        unsigned int tmp = *lo;
        *lo = *hi;
        *hi = tmp;
    }
    return 0;
}

int idset_set (struct idset *s, unsigned int id)
{
    return idset_range_set (s, id, id);
}

int idset_range_set (struct idset *s, unsigned int lo, unsigned int hi)
{
    if (range_check (s, &lo, &hi) < 0)
        return -1;
    /* A full set does not grow to set ids beyond it: they count as set. */
    if ((s->flags & IDSET_FLAG_INITFULL)) {
        if (lo >= s->size)
            return 0;
        if (hi >= s->size)
            hi = s->size - 1;
    }
    else if (grow (s, (size_t)hi + 1) < 0)
        return -1;
    for (size_t id = lo; id <= hi; id++)
        bit_put (s, id, true);
    return 0;
}

int idset_clear (struct idset *s, unsigned int id)
{
    return idset_range_clear (s, id, id);
}

int idset_range_clear (struct idset *s, unsigned int lo, unsigned int hi)
{
    if (range_check (s, &lo, &hi) < 0)
        return -1;
    /* An empty-born set need not grow to clear what it never held; a
     * full one grows so that the cleared ids stay cleared.
     */
    if ((s->flags & IDSET_FLAG_INITFULL)) {
        if (grow (s, (size_t)hi + 1) < 0)
            return -1;
    }
    else {
        if (lo >= s->size)
            return 0;
        if (hi >= s->size)
            hi = s->size - 1;
    }
    for (size_t id = lo; id <= hi; id++)
        bit_put (s, id, false);
    return 0;
}

bool idset_test (const struct idset *s, unsigned int id)
{
    if (!s || !valid_id (id) || id >= s->size)
        return false;
    return bit_get (s, id);
}

/* Lowest member >= from, or IDSET_INVALID_ID. */
static unsigned int succ (const struct idset *s, size_t from)
{
    size_t w, n = nwords (s->size);

    if (from >= s->size)
        return IDSET_INVALID_ID;
    w = from / WORD_BITS;
    uint64_t word = s->bits[w] & (~(uint64_t)0 << (from % WORD_BITS));
    for (;;) {
        if (word) {
            size_t id = w * WORD_BITS + (size_t)__builtin_ctzll (word);
            return id < s->size ? (unsigned int)id : IDSET_INVALID_ID;
        }
        if (++w >= n)
            return IDSET_INVALID_ID;
        word = s->bits[w];
    }
}

/* Highest member <= from (clamped to the universe), or IDSET_INVALID_ID. */
static unsigned int pred (const struct idset *s, size_t from)
{
    size_t w;
    uint64_t word;
    unsigned int shift;

    if (s->size == 0)
        return IDSET_INVALID_ID;
    if (from >= s->size)
        from = s->size - 1;
    w = from / WORD_BITS;
    shift = WORD_BITS - 1 - (from % WORD_BITS);
    word = s->bits[w] & (~(uint64_t)0 >> shift);
    for (;;) {
        if (word)
            return (unsigned int)(w * WORD_BITS + WORD_BITS - 1
                                  - (size_t)__builtin_clzll (word));
        if (w == 0)
            return IDSET_INVALID_ID;
        word = s->bits[--w];
    }
}

unsigned int idset_first (const struct idset *s)
{
    return s ? succ (s, 0) : IDSET_INVALID_ID;
}

unsigned int idset_next (const struct idset *s, unsigned int id)
{
    if (!s || !valid_id (id))
        return IDSET_INVALID_ID;
    return succ (s, (size_t)id + 1);
}

unsigned int idset_last (const struct idset *s)
{
    return s ? pred (s, s->size) : IDSET_INVALID_ID;
}

unsigned int idset_prev (const struct idset *s, unsigned int id)
{
    if (!s || !valid_id (id) || id == 0)
        return IDSET_INVALID_ID;
    return pred (s, (size_t)id - 1);
}

size_t idset_count (const struct idset *s)
{
    return s ? s->count : 0;
}

bool idset_empty (const struct idset *s)
{
    return !s || s->count == 0;
}

bool idset_equal (const struct idset *a, const struct idset *b)
{
    if (!a || !b)
        return false;
    if (a->count != b->count)
        return false;
    for (unsigned int id = succ (a, 0); id != IDSET_INVALID_ID;
         id = succ (a, (size_t)id + 1)) {
        if (!idset_test (b, id))
            return false;
    }
    return true;
}

bool idset_has_intersection (const struct idset *a, const struct idset *b)
{
    if (!a || !b)
        return false;
    size_t n = nwords (a->size < b->size ? a->size : b->size);
    for (size_t w = 0; w < n; w++) {
        if (a->bits[w] & b->bits[w])
            return true;
    }
    return false;
}

int idset_add (struct idset *a, const struct idset *b)
{
    if (!a) {
        errno = EINVAL;
        return -1;
    }
    if (b) {
        for (unsigned int id = idset_first (b); id != IDSET_INVALID_ID;
             id = idset_next (b, id)) {
            if (idset_set (a, id) < 0)
                return -1;
        }
    }
    return 0;
}

int idset_subtract (struct idset *a, const struct idset *b)
{
    if (!a) {
        errno = EINVAL;
        return -1;
    }
    if (b) {
        /* a == b is allowed: each id is read before it is cleared */
        for (unsigned int id = idset_first (b); id != IDSET_INVALID_ID;
             id = idset_next (b, id)) {
            if (idset_clear (a, id) < 0)
                return -1;
        }
    }
    return 0;
}

struct idset *idset_union (const struct idset *a, const struct idset *b)
{
    struct idset *r;

    if (!a) {
        errno = EINVAL;
        return NULL;
    }
    if (!(r = copy_flags (a, IDSET_FLAG_AUTOGROW)))
        return NULL;
    if (idset_add (r, b) < 0) {
        idset_destroy (r);
        return NULL;
    }
    return r;
}

struct idset *idset_difference (const struct idset *a, const struct idset *b)
{
    struct idset *r;

    if (!a) {
        errno = EINVAL;
        return NULL;
    }
    if (!(r = idset_copy (a)))
        return NULL;
    if (idset_subtract (r, b) < 0) {
        idset_destroy (r);
        return NULL;
    }
    return r;
}

struct idset *idset_intersect (const struct idset *a, const struct idset *b)
{
    struct idset *r;

    if (!a || !b) {
        errno = EINVAL;
        return NULL;
    }
    if (b->count < a->count) {
        const struct idset *tmp = a;
        a = b;
        b = tmp;
    }
    if (!(r = idset_copy (a)))
        return NULL;
    for (unsigned int id = idset_first (a); id != IDSET_INVALID_ID;
         id = idset_next (a, id)) {
        if (!idset_test (b, id))
            bit_put (r, id, false);
    }
    return r;
}

int idset_alloc (struct idset *s, unsigned int *val)
{
    unsigned int id = IDSET_INVALID_ID;

    if (!s || !val || !(s->flags & IDSET_FLAG_INITFULL)) {
        errno = EINVAL;
        return -1;
    }
    if ((s->flags & IDSET_FLAG_ALLOC_RR) && s->rr_last != IDSET_INVALID_ID)
        id = idset_next (s, s->rr_last);
    if (id == IDSET_INVALID_ID)
        id = idset_first (s);
    if (id == IDSET_INVALID_ID) {
        id = (unsigned int)s->size;
        if (grow (s, (size_t)id + 1) < 0)
            return -1;
    }
    bit_put (s, id, false);
    if ((s->flags & IDSET_FLAG_ALLOC_RR))
        s->rr_last = id;
    *val = id;
    return 0;
}

void idset_free (struct idset *s, unsigned int val)
{
    if (!s || !(s->flags & IDSET_FLAG_INITFULL) || !valid_id (val)
        || val >= s->size)
        return;
    bit_put (s, val, true);
}

int idset_free_check (struct idset *s, unsigned int val)
{
    if (!s || !(s->flags & IDSET_FLAG_INITFULL) || !valid_id (val)
        || val >= s->size) {
        errno = EINVAL;
        return -1;
    }
    if (bit_get (s, val)) {
        errno = EEXIST;
        return -1;
    }
    bit_put (s, val, true);
    return 0;
}

/* Encoding */

struct strbuf {
    char *s;
    size_t len;
    size_t size;
};

static int __attribute__ ((format (printf, 2, 3)))
sb_printf (struct strbuf *sb, const char *fmt, ...)
{
    char tmp[32];
    va_list ap;
    int n;

    va_start (ap, fmt);
    n = vsnprintf (tmp, sizeof (tmp), fmt, ap);
    va_end (ap);
    if (n < 0 || (size_t)n >= sizeof (tmp)) {
        errno = EINVAL;
        return -1;
    }
    if (sb->len + n + 1 > sb->size) {
        size_t nsize = sb->size ? sb->size * 2 : 64;
        while (sb->len + n + 1 > nsize)
            nsize *= 2;
        char *p = realloc (sb->s, nsize);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        sb->s = p;
        sb->size = nsize;
    }
    memcpy (sb->s + sb->len, tmp, n + 1);
    sb->len += n;
    return 0;
}

char *idset_encode (const struct idset *s, int flags)
{
    struct strbuf sb = { 0 };
    bool brackets;
    unsigned int id;

    if ((flags & ~(IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE)) || !s) {
        errno = EINVAL;
        return NULL;
    }
    brackets = (flags & IDSET_FLAG_BRACKETS) && s->count > 1;
    if (sb_printf (&sb, "%s", brackets ? "[" : "") < 0)
        goto error;
    id = idset_first (s);
    while (id != IDSET_INVALID_ID) {
        unsigned int hi = id;
        unsigned int next = idset_next (s, id);
        if ((flags & IDSET_FLAG_RANGE)) {
            while (next != IDSET_INVALID_ID && next == hi + 1) {
                hi = next;
                next = idset_next (s, next);
            }
        }
        const char *sep = next != IDSET_INVALID_ID ? "," : "";
        int rc = hi == id ? sb_printf (&sb, "%u%s", id, sep)
                          : sb_printf (&sb, "%u-%u%s", id, hi, sep);
        if (rc < 0)
            goto error;
        id = next;
    }
    if (brackets && sb_printf (&sb, "]") < 0)
        goto error;
    return sb.s;
error:
    free (sb.s);
    return NULL;
}

/* Decoding */

static int __attribute__ ((format (printf, 2, 3)))
errprintf (idset_error_t *error, const char *fmt, ...)
{
    if (error) {
        int saved_errno = errno;
        va_list ap;
        va_start (ap, fmt);
        vsnprintf (error->text, sizeof (error->text), fmt, ap);
        va_end (ap);
        errno = saved_errno;
    }
    return -1;
}

/* One decimal number without sign or leading zero (RFC 22). */
static int parse_number (const char **sp, const char *end, unsigned long *n)
{
    const char *s = *sp;
    unsigned long v = 0;

    if (s >= end || !isdigit ((unsigned char)*s))
        return -1;
    if (*s == '0' && s + 1 < end && isdigit ((unsigned char)s[1]))
        return -1;
    while (s < end && isdigit ((unsigned char)*s)) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > UINT_MAX)
            return -1;
        s++;
    }
    *n = v;
    *sp = s;
    return 0;
}

/* Parse "lo" or "lo-hi" (hi > lo) filling the whole token [s, end). */
static int parse_range (const char *s, const char *end,
                        unsigned int *lo, unsigned int *hi)
{
    unsigned long a, b;

    if (parse_number (&s, end, &a) < 0)
        return -1;
    b = a;
    if (s < end && *s == '-') {
        s++;
        if (parse_number (&s, end, &b) < 0 || b <= a)
            return -1;
    }
    if (s != end)
        return -1;
    *lo = (unsigned int)a;
    *hi = (unsigned int)b;
    return 0;
}

enum { DECODE_ADD, DECODE_SUBTRACT };

/* Walk the ranges of s[0..len): check them, count them and, if 'idset'
 * is not NULL, set or clear them in it.
 */
static int decode_walk (struct idset *idset, int op, const char *str,
                        ssize_t len, size_t *countp, unsigned int *maxidp,
                        idset_error_t *error)
{
    const char *s, *end;
    unsigned int maxid = IDSET_INVALID_ID;
    size_t count = 0;

    if (error)
        error->text[0] = '\0';
    if (!str) {
        errno = EINVAL;
        return errprintf (error, "input is NULL");
    }
    if (len < 0)
        len = strlen (str);
    /* an embedded NUL ends the text, as with a C string */
    const char *nul = memchr (str, '\0', len);
    s = str;
    end = nul ? nul : str + len;
    if (end - s >= 2 && *s == '[' && end[-1] == ']') {
        s++;
        end--;
    }
    if (memchr (s, '[', end - s) || memchr (s, ']', end - s)) {
        errno = EINVAL;
        return errprintf (error, "mismatched or nested brackets");
    }
    while (s < end) {
        const char *comma = memchr (s, ',', end - s);
        const char *tokend = comma ? comma : end;
        unsigned int lo, hi;

        if (tokend > s) {   /* empty elements are skipped */
            int tlen = (int)(tokend - s);
            if (parse_range (s, tokend, &lo, &hi) < 0) {
                errno = EINVAL;
                return errprintf (error, "error parsing range '%.*s'",
                                  tlen, s);
            }
            if (maxid != IDSET_INVALID_ID && lo <= maxid) {
                errno = EINVAL;
                return errprintf (error, "range '%.*s' is out of order",
                                  tlen, s);
            }
            if (hi >= IDSET_MAX_UNIVERSE) {
                errno = ERANGE;
                return errprintf (error,
                                  "set universe size would exceed maximum");
            }
            if (idset) {
                int rc = op == DECODE_ADD ? idset_range_set (idset, lo, hi)
                                          : idset_range_clear (idset, lo, hi);
                if (rc < 0) {
                    return errprintf (error, "error %s '%.*s': %s",
                                      op == DECODE_ADD ? "appending"
                                                       : "clearing",
                                      tlen, s, strerror (errno));
                }
            }
            count += (size_t)(hi - lo) + 1;
            maxid = hi;
        }
        s = comma ? comma + 1 : end;
    }
    if (countp)
        *countp = count;
    if (maxidp)
        *maxidp = maxid;
    return 0;
}

struct idset *idset_decode_ex (const char *str, ssize_t len, ssize_t size,
                               int flags, idset_error_t *error)
{
    struct idset *idset;

    if (size < 0) {
        unsigned int maxid;
        if (decode_walk (NULL, DECODE_ADD, str, len, NULL, &maxid,
                         error) < 0)
            return NULL;
        if (maxid != IDSET_INVALID_ID)
            size = (ssize_t)maxid + 1;
        else if ((flags & IDSET_FLAG_AUTOGROW))
            size = 1;
        else {
            errno = EINVAL;
            errprintf (error, "cannot create an empty idset");
            return NULL;
        }
    }
    if (!(idset = idset_create ((size_t)size, flags))) {
        errprintf (error, "error creating idset object: %s",
                   errno == ERANGE ? "set universe size would exceed maximum"
                                   : strerror (errno));
        return NULL;
    }
    if (decode_walk (idset, DECODE_ADD, str, len, NULL, NULL, error) < 0) {
        idset_destroy (idset);
        return NULL;
    }
    return idset;
}

struct idset *idset_decode (const char *str)
{
    return idset_decode_ex (str, -1, 0, IDSET_FLAG_AUTOGROW, NULL);
}

struct idset *idset_ndecode (const char *str, size_t len)
{
    return idset_decode_ex (str, (ssize_t)len, 0, IDSET_FLAG_AUTOGROW, NULL);
}

bool idset_decode_empty (const char *str, ssize_t len)
{
    size_t count;

    return decode_walk (NULL, DECODE_ADD, str, len, &count, NULL, NULL) == 0
           && count == 0;
}

int idset_decode_info (const char *str, ssize_t len, size_t *count,
                       unsigned int *maxid, idset_error_t *error)
{
    return decode_walk (NULL, DECODE_ADD, str, len, count, maxid, error);
}

int idset_decode_add (struct idset *idset, const char *str, ssize_t len,
                      idset_error_t *error)
{
    if (!idset) {
        errno = EINVAL;
        return errprintf (error, "idset is NULL");
    }
    return decode_walk (idset, DECODE_ADD, str, len, NULL, NULL, error);
}

int idset_decode_subtract (struct idset *idset, const char *str, ssize_t len,
                           idset_error_t *error)
{
    if (!idset) {
        errno = EINVAL;
        return errprintf (error, "idset is NULL");
    }
    return decode_walk (idset, DECODE_SUBTRACT, str, len, NULL, NULL, error);
}
