/*
 * expand.h - a target into its probes, through DNS: the MX and SRV
 * records of a mail domain (--mx, --srv), then every address of every
 * name, filtered as -4, -6 and --first-address say.
 *
 * All of a target's lookups run at once where they can (MX and both SRV
 * names together, then the addresses of every host they name together),
 * so a domain costs two DNS round trips, whatever its number of hosts.
 * The probes are made when the last answer is in: each initialised with
 * its host, SNI, port, mode and address, or with a resolve error when its
 * name gave no address.
 */
#ifndef SMTP_PROBE_EXPAND_H
#define SMTP_PROBE_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "dns.h"
#include "result.h"
#include "target.h"

/* How every target of a run is expanded (from struct config). */
struct expand_cfg {
	const struct port_spec *ports; /* for the target's and MX hosts */
	size_t nports;
	bool mx;            /* targets are mail domains: their MX hosts */
	bool srv;           /* and their RFC 6186 submission servers */
	int family;         /* AF_UNSPEC, or AF_INET (-4), AF_INET6 (-6) */
	bool first_address; /* one address per name */
	const char *sni;    /* --sni for every probe; NULL: each host's */
};

/* Where one probe connects; len 0: nowhere (its error says why). */
struct probe_addr {
	struct sockaddr_storage sa; /* its port set */
	socklen_t len;
};

struct expansion; /* opaque */

/*
 * expand_done_fn - the target's probes are in res; addrs[i] (owned by the
 * callee now) is where probe i connects. Called once, from the loop, as
 * the expansion's last act: the callee may expand_free it.
 */
typedef void expand_done_fn(void *arg, struct probe_addr *addrs);

/*
 * expand_start - look up what target t needs. res is the target's result
 * (host, index set): res->sni, mx, srv, error, findings and probes are
 * filled in before done is called.
 */
struct expansion *expand_start(struct dns *, const struct expand_cfg *,
    const struct target *t, struct target_result *res, expand_done_fn *done,
    void *arg);

/*
 * expand_free - release an expansion: after done, or, for one still
 * waiting for DNS, once dns_free has cancelled its lookups
 */
void expand_free(struct expansion *);

#endif
