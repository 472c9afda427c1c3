/*
 * resolve.c - name resolution with the system resolver.
 *
 * XXX getaddrinfo() blocks the loop while it runs; names are resolved once
 * per target before probing starts, which is fine for a handful of
 * targets and is the one blocking call in the tool.
 */
#include "resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* resolve_host - addresses of host */
int
resolve_host(const char *host, struct resolved *out, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	size_t i;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	out->n = 0;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(err, errlen, "the name %s does not resolve: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && out->n < RESOLVE_ADDRS_MAX;
	     ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out->addr[0]))
			continue;
		for (i = 0; i < out->n; i++)
			if (out->len[i] == ai->ai_addrlen &&
			    memcmp(&out->addr[i], ai->ai_addr,
				ai->ai_addrlen) == 0)
				break;
		if (i < out->n)
			continue;
		memcpy(&out->addr[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (out->n == 0) {
		snprintf(
		    err, errlen, "the name %s has no usable address", host);
		return -1;
	}
	return 0;
}

/* resolve_addr_text - numeric form of an address */
void
resolve_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6
	    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
	    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* resolve_set_port - port in network byte order */
void
resolve_set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}
