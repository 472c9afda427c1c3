/*
 * sock.c - reading from a server's socket.
 *
 * Linux delays ACKs by up to 40 ms, and a server with Nagle's algorithm on
 * (most do) holds its next small reply until the previous one is ACKed: a
 * client that reads a TLS record, writes EHLO and waits then measures the
 * two timers, not the server. TCP_QUICKACK is not permanent, so it is set
 * again after every read.
 */
#include "sock.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* sock_recv - recv() and re-arm quick ACKs */
ssize_t
sock_recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;
	int one = 1;

	n = recv(fd, buf, len, flags);
	if (n > 0)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	return n;
}
