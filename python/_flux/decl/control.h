/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/control.h. */
flux_msg_t *flux_control_encode (int type, int status);
int flux_control_decode (const flux_msg_t *msg, int *type, int *status);
