/*
 * transport.c - the plain and the TLS transport.
 *
 * Plain reads go through sock_recv so the socket stays in quick-ACK mode
 * (timings then measure the server, not delayed ACKs). A TLS server that
 * ends without close_notify after QUIT is common and means the same as a
 * TCP close, so tls.c reports it as 0, like recv().
 */
#include "transport.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"

static ssize_t plain_send(
    struct transport *, const void *, size_t, char *, size_t);
static ssize_t plain_recv(struct transport *, void *, size_t, char *, size_t);
static ssize_t plain_result(ssize_t, char *, size_t);
static bool plain_pending(const struct transport *);
static void plain_shutdown(struct transport *);
static ssize_t tls_send(
    struct transport *, const void *, size_t, char *, size_t);
static ssize_t tls_recv(struct transport *, void *, size_t, char *, size_t);
static bool tls_has_pending(const struct transport *);
static void tls_shutdown(struct transport *);

static const struct transport_ops plain_ops = {
    .name = "plain",
    .send = plain_send,
    .recv = plain_recv,
    .pending = plain_pending,
    .shutdown = plain_shutdown,
};

static const struct transport_ops tls_ops = {
    .name = "tls",
    .send = tls_send,
    .recv = tls_recv,
    .pending = tls_has_pending,
    .shutdown = tls_shutdown,
};

/* transport_plain - a transport on a bare socket */
void
transport_plain(struct transport *t, int fd)
{
	t->ops = &plain_ops;
	t->fd = fd;
	t->tls = NULL;
}

/* transport_tls - a transport over an established TLS session */
void
transport_tls(struct transport *t, struct tls_conn *c)
{
	t->ops = &tls_ops;
	t->fd = c->fd;
	t->tls = c;
}

static ssize_t
plain_send(
    struct transport *t, const void *buf, size_t len, char *err, size_t errlen)
{
	return plain_result(send(t->fd, buf, len, MSG_NOSIGNAL), err, errlen);
}

static ssize_t
plain_recv(struct transport *t, void *buf, size_t len, char *err, size_t errlen)
{
	return plain_result(sock_recv(t->fd, buf, len, 0), err, errlen);
}

/* plain_result - a socket call's result as the transport's (errno kept) */
static ssize_t
plain_result(ssize_t n, char *err, size_t errlen)
{
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return XPORT_AGAIN;
	snprintf(err, errlen, "%s", strerror(errno));
	return XPORT_ERROR;
}

/* plain_pending - the kernel buffers; poll() sees those */
static bool
plain_pending(const struct transport *t)
{
	(void)t;
	return false;
}

/* plain_shutdown - QUIT was the goodbye; the socket closes next */
static void
plain_shutdown(struct transport *t)
{
	(void)t;
}

static ssize_t
tls_send(
    struct transport *t, const void *buf, size_t len, char *err, size_t errlen)
{
	ssize_t n = tls_write(t->tls, buf, len, err, errlen);

	return n == TLS_IO_AGAIN ? XPORT_AGAIN
	    : n == TLS_IO_ERROR  ? XPORT_ERROR
				 : n;
}

static ssize_t
tls_recv(struct transport *t, void *buf, size_t len, char *err, size_t errlen)
{
	ssize_t n = tls_read(t->tls, buf, len, err, errlen);

	return n == TLS_IO_AGAIN ? XPORT_AGAIN
	    : n == TLS_IO_ERROR  ? XPORT_ERROR
				 : n;
}

static bool
tls_has_pending(const struct transport *t)
{
	return tls_pending(t->tls);
}

static void
tls_shutdown(struct transport *t)
{
	tls_close_notify(t->tls);
}
