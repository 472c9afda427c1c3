/*
 * target.c - the syntax of one TARGET argument.
 *
 * An IPv6 literal needs brackets to carry a port ("[2001:db8::1]:25"); a
 * bare one ("2001:db8::1") is taken whole, without a port. The host part is
 * checked to be a plausible name or address here so that nothing odd ever
 * reaches the resolver or the SNI extension.
 */
#include "target.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static int host_ok(const char *);

/* target_parse - host and optional port/mode of one TARGET */
int
target_parse(const char *s, struct target *t, char *err, size_t errlen)
{
	struct port_spec ps;
	const char *host = s, *end, *port = NULL;
	unsigned char addr[16];
	struct in_addr in;
	char perr[160];
	size_t hostlen, n;

	memset(t, 0, sizeof(*t));
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "target \"%s\": missing ']'", s);
			return -1;
		}
		host = s + 1;
		hostlen = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			snprintf(err, errlen,
			    "target \"%s\": expected ':PORT' "
			    "after ']'",
			    s);
			return -1;
		}
	} else if ((end = strchr(s, ':')) != NULL &&
	    strchr(end + 1, ':') == NULL) {
		hostlen = (size_t)(end - s);
		port = end + 1;
	} else
		hostlen = strlen(s);

	if (hostlen == 0 || hostlen > HOSTNAME_MAX) {
		snprintf(err, errlen,
		    "target \"%s\": the host name is empty "
		    "or longer than %d characters",
		    s, HOSTNAME_MAX);
		return -1;
	}
	memcpy(t->host, host, hostlen);
	t->host[hostlen] = '\0';
	t->is_ip = inet_pton(AF_INET, t->host, addr) == 1 ||
	    inet_pton(AF_INET6, t->host, addr) == 1;
	/* The resolver reads "127.1" or "2130706433" as an address; the
	 * certificate check would read it as a name. */
	if (!t->is_ip && inet_aton(t->host, &in) != 0) {
		snprintf(err, errlen,
		    "target \"%s\": write the IPv4 address in full, "
		    "like 192.0.2.1",
		    s);
		return -1;
	}
	if (!t->is_ip && (s[0] == '[' || !host_ok(t->host))) {
		snprintf(err, errlen,
		    "target \"%s\": \"%s\" is not a host "
		    "name or IP address",
		    s, t->host);
		return -1;
	}
	if (port != NULL) {
		if (port[0] == '\0' || strchr(port, ',') != NULL) {
			snprintf(err, errlen,
			    "target \"%s\": give one port after ':' (a list "
			    "goes in --ports)",
			    s);
			return -1;
		}
		if (cli_parse_ports(port, &ps, 1, &n, perr, sizeof(perr)) ==
		    -1) {
			snprintf(err, errlen, "target \"%s\": %s", s, perr);
			return -1;
		}
		t->port = ps.port;
		t->mode = ps.mode;
	}
	return 0;
}

/* host_ok - letters, digits, '-', '_' and dots, no empty label */
static int
host_ok(const char *h)
{
	size_t label = 0;

	for (; *h != '\0'; h++) {
		if (*h == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
			(*h >= '0' && *h <= '9') || *h == '-' || *h == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}
