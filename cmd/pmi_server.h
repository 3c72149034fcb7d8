/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The simple PMI server of `flux start --test-size=N` (flux-core's
 * embedded PMI): one stream socket per broker, the broker's end passed
 * as PMI_FD.  It keeps one key-value space (kvsname "-", holding
 * PMI_process_mapping for one node at the start), answers get with what
 * any broker put, and releases a barrier when all N have entered it.  The
 * caller polls the server's descriptors and calls pmi_server_read() on
 * each that is readable.
 */
#ifndef CMD_PMI_SERVER_H
#define CMD_PMI_SERVER_H

struct pmi_server;

/* A server for 'size' clients, or NULL with errno. */
struct pmi_server *pmi_server_create (int size);
void pmi_server_destroy (struct pmi_server *ps);

/* The client end for 'rank' (to give the broker; close it here after
 * the fork), and the server end to poll.
 */
int pmi_server_client_fd (struct pmi_server *ps, int rank);
int pmi_server_fd (struct pmi_server *ps, int rank);

/* Close the server's copies of the client ends (after the brokers are
 * started).
 */
void pmi_server_close_clients (struct pmi_server *ps);

/* Read and answer what rank's broker sent.  Returns 0, or -1 when the
 * connection is done (closed, or a protocol error, which is printed):
 * stop polling it.
 */
int pmi_server_read (struct pmi_server *ps, int rank);

#endif /* !CMD_PMI_SERVER_H */
