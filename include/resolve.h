/*
 * resolve.h - a host name or address literal into socket addresses.
 */
#ifndef SMTP_PROBE_RESOLVE_H
#define SMTP_PROBE_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

#include "bounds.h"

struct resolved {
	size_t n;
	struct sockaddr_storage addr[RESOLVE_ADDRS_MAX];
	socklen_t len[RESOLVE_ADDRS_MAX];
};

/*
 * resolve_host - every TCP address of host (at most RESOLVE_ADDRS_MAX, in
 * the resolver's order, without duplicates). Returns 0, or -1 with a
 * sentence in err.
 */
int resolve_host(const char *host, struct resolved *out, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* resolve_set_port - set the port of an AF_INET or AF_INET6 address */
void resolve_set_port(struct sockaddr_storage *, int port);

/* resolve_addr_text - the numeric address of sa into buf */
void resolve_addr_text(const struct sockaddr *sa, char *buf, size_t len);

#endif
