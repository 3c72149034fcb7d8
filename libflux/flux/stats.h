/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Metrics to a statsd server (flux-core's "fripp" protocol).
 *
 * Off unless the environment variable FLUX_FRIPP_STATSD holds
 * "host:port" (IPv4, UDP) when a handle first reports a metric; then
 * each handle sends lines "PREFIX.NAME:VALUE|TYPE" (TYPE C for a count,
 * g for a gauge, ms for a timing) in UDP packets of at most 1440 bytes.
 * The prefix defaults to "flux.RANK".  A host:port that does not parse
 * is logged once and leaves stats off.  None of these calls fail: when
 * off they do nothing.
 *
 * Metrics are aggregated: each is stored and the values that changed
 * since the last packet go out every 'period' seconds (1 by default,
 * from a timer on the handle's reactor that does not keep it running);
 * a count or gauge_set replaces the stored value, gauge_inc adds to it.
 * set_period (h, 0) (or less) sends each metric as it is reported, a
 * gauge_inc as "+N" or "-N".
 */
#ifndef FLUX_STATS_H
#define FLUX_STATS_H

#include <stdbool.h>
#include <sys/types.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Report a metric (as above), or set the period.  NULL-safe. */
void flux_stats_count (flux_t *h, const char *name, ssize_t count);
void flux_stats_gauge_set (flux_t *h, const char *name, ssize_t value);
void flux_stats_gauge_inc (flux_t *h, const char *name, ssize_t inc);
void flux_stats_timing (flux_t *h, const char *name, double ms);
void flux_stats_set_period (flux_t *h, double period);
/* A prefix of 128 characters or more is ignored. */
void flux_stats_set_prefix (flux_t *h, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Returns true if stats are on for this handle ('metric' is not looked
 * at); false for a NULL handle.
 */
bool flux_stats_enabled (flux_t *h, const char *metric);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_STATS_H */
