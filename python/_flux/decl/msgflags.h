/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for the single-flag functions at the end of flux/message.h. */
bool flux_msg_has_flag (const flux_msg_t *msg, int flag);
int flux_msg_set_flag (flux_msg_t *msg, int flag);
bool flux_msg_is_local (const flux_msg_t *msg);
