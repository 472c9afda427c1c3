/*
 * sock.h - reads from a server's socket, shared by plain SMTP and TLS.
 */
#ifndef SMTP_PROBE_SOCK_H
#define SMTP_PROBE_SOCK_H

#include <stddef.h>
#include <sys/types.h>

/*
 * sock_recv - recv() that keeps the socket in quick-ACK mode. Returns what
 * recv() returns, errno included.
 */
ssize_t sock_recv(int fd, void *buf, size_t len, int flags);

#endif
