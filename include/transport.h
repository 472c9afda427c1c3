/*
 * transport.h - plain TCP and TLS behind one interface.
 *
 * In the manner of curl's connection filters: the session sends and
 * receives through a struct transport and never asks whether TLS is on.
 * After STARTTLS is accepted the session swaps its plain transport for a
 * TLS one on the same descriptor; the transport never owns the descriptor
 * (the session closes it) and the TLS transport never owns its GnuTLS
 * session (tls.c's struct tls_conn does).
 */
#ifndef SMTP_PROBE_TRANSPORT_H
#define SMTP_PROBE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tls.h"

/* Besides a byte count (0 from recv: the peer closed). */
#define XPORT_AGAIN (-2)
#define XPORT_ERROR (-1)

struct transport;

struct transport_ops {
	const char *name;
	/* send/recv - a count, XPORT_AGAIN, or XPORT_ERROR with a sentence
	 * in err (errno is kept for a socket error) */
	ssize_t (*send)(
	    struct transport *, const void *, size_t, char *err, size_t errlen);
	ssize_t (*recv)(
	    struct transport *, void *, size_t, char *err, size_t errlen);
	/* pending - bytes already received and decoded wait inside */
	bool (*pending)(const struct transport *);
	/* shutdown - tell the peer we are done (TLS close_notify), once */
	void (*shutdown)(struct transport *);
};

struct transport {
	const struct transport_ops *ops;
	int fd;               /* not owned */
	struct tls_conn *tls; /* not owned; NULL for plain */
};

/* transport_plain - send() and recv() on fd */
void transport_plain(struct transport *, int fd);

/* transport_tls - records of an established TLS session */
void transport_tls(struct transport *, struct tls_conn *);

#endif
