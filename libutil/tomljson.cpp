/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* TOML to JSON with toml++ (see tomljson.h).
 *
 * Every exception stays in this file: the C callers see NULL and errno.
 * The file is read here rather than by toml::parse_file so that an
 * unreadable file fails with its errno ("Permission denied"), which
 * toml++ would turn into a generic parse error.
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "tomljson.h"

namespace {

/* An error found while converting, with the line of the value. */
struct convert_error {
    int line;
    int column;
    std::string text;
};

void set_error (struct tomljson_error *error, const char *filename,
                int line, int column, const char *text)
{
    if (!error)
        return;
    snprintf (error->filename, sizeof (error->filename), "%s",
              filename ? filename : "");
    error->line = line;
    error->column = column;
    snprintf (error->text, sizeof (error->text), "%s", text);
}

json_t *checked (json_t *o)
{
    if (!o)
        throw std::bad_alloc ();
    return o;
}

[[noreturn]] void fail (const toml::node &node, const std::string &text)
{
    const toml::source_region &src = node.source ();
    throw convert_error {
        src.begin.line ? static_cast<int> (src.begin.line) : -1,
        src.begin.column ? static_cast<int> (src.begin.column) : -1,
        text,
    };
}

json_t *to_json (const toml::node &node);

/* Takes the reference on 'val'. */
void object_set (json_t *obj, const std::string_view &key, json_t *val)
{
    if (json_object_setn_new (obj, key.data (), key.size (), val) < 0)
        throw std::bad_alloc ();
}

/* N.B. toml++ keeps a table's keys sorted; JSON objects here keep
 * insertion order, so keys are added in the order the document has them
 * (as flux-core's parser gives them), by where each key was read.
 */
json_t *table_to_json (const toml::table &tab)
{
    std::vector<std::pair<const toml::key *, const toml::node *>> entries;
    json_t *obj = checked (json_object ());

    try {
        for (auto &&[key, val] : tab)
            entries.emplace_back (&key, &val);
        std::stable_sort (entries.begin (), entries.end (),
                          [] (const auto &a, const auto &b) {
            const toml::source_position &pa = a.first->source ().begin;
            const toml::source_position &pb = b.first->source ().begin;
            return pa.line != pb.line ? pa.line < pb.line
                                      : pa.column < pb.column;
        });
        for (const auto &e : entries)
            object_set (obj, e.first->str (), to_json (*e.second));
    }
    catch (...) {
        json_decref (obj);
        throw;
    }
    return obj;
}

json_t *array_to_json (const toml::array &arr)
{
    json_t *a = checked (json_array ());
    try {
        for (const toml::node &val : arr) {
            if (json_array_append_new (a, to_json (val)) < 0)
                throw std::bad_alloc ();
        }
    }
    catch (...) {
        json_decref (a);
        throw;
    }
    return a;
}

/* flux-core's form of a timestamp: whole seconds, UTC. */
json_t *datetime_to_json (const toml::node &node, const toml::date_time &dt)
{
    struct tm tm = {};
    time_t t;
    char buf[64];

    tm.tm_year = dt.date.year - 1900;
    tm.tm_mon = dt.date.month - 1;
    tm.tm_mday = dt.date.day;
    tm.tm_hour = dt.time.hour;
    tm.tm_min = dt.time.minute;
    tm.tm_sec = dt.time.second;
    t = timegm (&tm);
    if (dt.offset)
        t -= static_cast<time_t> (dt.offset->minutes) * 60;
    if (t < 0 || !gmtime_r (&t, &tm)
        || strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        fail (node, "date-time before 1970 cannot be converted");
    return checked (json_pack ("{s:s}", "iso-8601-ts", buf));
}

json_t *to_json (const toml::node &node)
{
    switch (node.type ()) {
        case toml::node_type::table:
            return table_to_json (*node.as_table ());
        case toml::node_type::array:
            return array_to_json (*node.as_array ());
        case toml::node_type::string: {
            const std::string &s = node.as_string ()->get ();
            return checked (json_stringn (s.data (), s.size ()));
        }
        case toml::node_type::integer:
            return checked (json_integer (node.as_integer ()->get ()));
        case toml::node_type::floating_point: {
            double d = node.as_floating_point ()->get ();
            if (!std::isfinite (d))
                fail (node, "nan and inf cannot be represented in JSON");
            return checked (json_real (d));
        }
        case toml::node_type::boolean:
            return checked (node.as_boolean ()->get () ? json_true ()
                                                      : json_false ());
        case toml::node_type::date_time:
            return datetime_to_json (node, node.as_date_time ()->get ());
        case toml::node_type::date:
            fail (node, "a local date without a time cannot be converted");
        case toml::node_type::time:
            fail (node, "a local time without a date cannot be converted");
        default:
            fail (node, "unknown TOML value type");
    }
}

json_t *parse (std::string_view doc, const char *filename,
               struct tomljson_error *error)
{
    try {
        toml::table tab = filename ? toml::parse (doc, std::string_view (filename))
                                   : toml::parse (doc);
        return table_to_json (tab);
    }
    catch (const toml::parse_error &e) {
        const toml::source_region &src = e.source ();
        set_error (error, filename,
                   src.begin.line ? static_cast<int> (src.begin.line) : -1,
                   src.begin.column ? static_cast<int> (src.begin.column) : -1,
                   std::string (e.description ()).c_str ());
        errno = EINVAL;
    }
    catch (const convert_error &e) {
        set_error (error, filename, e.line, e.column, e.text.c_str ());
        errno = EINVAL;
    }
    catch (const std::bad_alloc &) {
        set_error (error, filename, -1, -1, strerror (ENOMEM));
        errno = ENOMEM;
    }
    catch (...) {
        set_error (error, filename, -1, -1, "unexpected error in TOML parser");
        errno = EINVAL;
    }
    return nullptr;
}

} // namespace

#define TOMLJSON_EXPORT __attribute__ ((visibility ("default")))

/* The two entry points are visible, though the rest is hidden: libflux
 * finds them with dlsym() in the plugin (libflux/toml_plugin.c).
 */
extern "C" TOMLJSON_EXPORT json_t *tomljson_parse_string (
    const char *s, size_t len, struct tomljson_error *error)
{
    if (!s) {
        set_error (error, nullptr, -1, -1, strerror (EINVAL));
        errno = EINVAL;
        return nullptr;
    }
    return parse (std::string_view (s, len), nullptr, error);
}

extern "C" TOMLJSON_EXPORT json_t *tomljson_parse_file (
    const char *path, struct tomljson_error *error)
{
    FILE *f;
    std::string doc;
    char buf[8192];
    size_t n;
    int saved_errno;

    if (!path) {
        set_error (error, nullptr, -1, -1, strerror (EINVAL));
        errno = EINVAL;
        return nullptr;
    }
    if (!(f = fopen (path, "r"))) {
        saved_errno = errno;
        set_error (error, path, -1, -1, strerror (saved_errno));
        errno = saved_errno;
        return nullptr;
    }
    try {
        while ((n = fread (buf, 1, sizeof (buf), f)) > 0)
            doc.append (buf, n);
    }
    catch (...) {
        fclose (f);
        set_error (error, path, -1, -1, strerror (ENOMEM));
        errno = ENOMEM;
        return nullptr;
    }
    if (ferror (f)) {
        saved_errno = errno ? errno : EIO;
        fclose (f);
        set_error (error, path, -1, -1, strerror (saved_errno));
        errno = saved_errno;
        return nullptr;
    }
    fclose (f);
    return parse (doc, path, error);
}

/* vi: ts=4 sw=4 expandtab
 */
