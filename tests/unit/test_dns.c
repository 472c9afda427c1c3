/*
 * test_dns.c - the DNS channel as sources of the reactor (probe/dns.c),
 * without a DNS server: --resolver values, address literals answered
 * without a query but never inside the call that asked, -4 and -6 on
 * literals, and a server that never answers (a UDP socket of this test
 * that reads nothing) ending a lookup at its own deadline. Answers from a
 * real server are tested end to end against unbound (tests/dns.bats).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "dns.h"
#include "loop.h"
#include "tap.h"

/* What one lookup's callback saw. */
struct seen {
	int calls;
	struct dns_answer a;
	char addr[64];
};

static void test_servers(void);
static void test_literals(void);
static void test_silent_server(void);
static void on_answer(void *, const struct dns_answer *);
static bool until_answered(void *, int64_t);

int
main(void)
{
	test_servers();
	test_literals();
	test_silent_server();
	return done_testing();
}

/* test_servers - what --resolver accepts, and what it refuses */
static void
test_servers(void)
{
	static const char *const good[] = {"127.0.0.1", "127.0.0.1:5353", "::1",
	    "[::1]", "[::1]:53", "2001:db8::53", "[2001:db8::53]:5353"};
	static const char *const bad[] = {"", "dns.example",
	    "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
	    "[127.0.0.1]:53", "[::1", "[::1]x", "[::1]:", "127.1",
	    "1.2.3.4:5:6x", ":53"};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(dns_server_ok(good[i]),
		    lbl("--resolver %s accepted", good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!dns_server_ok(bad[i]),
		    lbl("--resolver \"%s\" refused", bad[i]));
}

/* lookup - one address lookup through a fresh channel and loop */
static void
lookup(const char *server, int ms, const char *name, int family, struct seen *s)
{
	struct loop *loop = loop_new();
	char err[ERR_MSG_MAX];
	struct dns *d = dns_new(loop, server, ms, err, sizeof(err));

	memset(s, 0, sizeof(*s));
	if (!ok(d != NULL, lbl("channel for %s", name))) {
		printf("#   %s\n", err);
		loop_free(loop);
		return;
	}
	dns_lookup_addrs(d, name, family, on_answer, s);
	is_int(s->calls, 0, lbl("%s: not answered inside the call", name));
	is_int((long long)dns_pending(d), 1, lbl("%s: pending", name));
	/* until_answered frees d: then no source is left, and the loop ends. */
	loop_run(loop, until_answered, d);
	is_int((long long)loop_count(loop), 0, lbl("%s: nothing left", name));
	loop_free(loop);
	is_int(s->calls, 1, lbl("%s: answered once", name));
}

/* test_literals - an address is its own answer, family permitting */
static void
test_literals(void)
{
	struct seen s;

	/* Port 1 of 127.0.0.1 is no DNS server: nothing may ask it. */
	lookup("127.0.0.1:1", 5000, "192.0.2.1", AF_UNSPEC, &s);
	is_int(s.a.status, DNS_OK, "192.0.2.1: ok");
	is_int((long long)s.a.addrs.n, 1, "192.0.2.1: one address");
	is_str(s.addr, "192.0.2.1", "192.0.2.1: itself");
	lookup("127.0.0.1:1", 5000, "2001:db8::25", AF_INET6, &s);
	is_int(s.a.status, DNS_OK, "2001:db8::25 with -6: ok");
	is_str(s.addr, "2001:db8::25", "2001:db8::25: itself");
	lookup("127.0.0.1:1", 5000, "192.0.2.1", AF_INET6, &s);
	is_int(s.a.status, DNS_NODATA, "192.0.2.1 with -6: no address");
	is_int((long long)s.a.addrs.n, 0, "192.0.2.1 with -6: none");
	ok(strstr(s.a.message, "192.0.2.1") != NULL, "the message names it");
}

/*
 * test_silent_server - a server that never answers: the lookup ends at
 * its deadline, as a timeout, and not much later
 */
static void
test_silent_server(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char server[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int64_t t0;
	struct seen s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!ok(fd != -1 && bind(fd, (struct sockaddr *)&sin, len) == 0 &&
		    getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
		"a silent UDP socket"))
		return;
	snprintf(server, sizeof(server), "127.0.0.1:%d", ntohs(sin.sin_port));
	t0 = clock_ms();
	lookup(server, 300, "silent.example", AF_UNSPEC, &s);
	ok(s.a.status == DNS_TIMEOUT, "silent server: a timeout");
	ok(clock_ms() - t0 < 2000,
	    lbl("silent server: ended in %lld ms",
		(long long)(clock_ms() - t0)));
	ok(strstr(s.a.message, "silent.example") != NULL,
	    "silent server: the message names the name");
	close(fd);
}

static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct seen *s = arg;

	s->calls++;
	s->a = *a;
	if (a->addrs.n > 0)
		dns_addr_text((const struct sockaddr *)&a->addrs.addr[0],
		    s->addr, sizeof(s->addr));
}

/*
 * until_answered - the loop runs while a lookup is pending; then the
 * channel closes, taking its sources with it (as run.c does)
 */
static bool
until_answered(void *arg, int64_t now)
{
	(void)now;
	if (dns_pending(arg) > 0)
		return true;
	dns_free(arg);
	return false;
}
