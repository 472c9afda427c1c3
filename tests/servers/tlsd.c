/*
 * tlsd.c - a tiny SMTP server on GnuTLS for the tests: STARTTLS or implicit
 * TLS, an optional stapled OCSP response, and a STARTTLS mode that is
 * vulnerable to command injection (CVE-2011-0411) on purpose.
 *
 * One process, one listener on 127.0.0.1, one poll() loop, at most
 * TLSD_CLIENTS connections at once (more are closed at once), each ended
 * after TLSD_LIFETIME seconds whatever it does; command lines are bounded
 * by TLSD_LINE; the server itself exits after --lifetime seconds (600 by
 * default), so a test that dies early leaves nothing running for long. The port
 * is given, or chosen by the kernel and written to
 * --port-file (atomically: written aside, then renamed).
 *
 * After "220" to STARTTLS, the correct mode throws away whatever the client
 * had sent after STARTTLS in clear (as Postfix does, RFC 3207 5); the
 * vulnerable mode keeps it and answers it inside TLS once the handshake is
 * done, as servers hit by CVE-2011-0411 did; with --late, only when the
 * next command arrives inside TLS, both replies then in one TLS record
 * (the injected reply and the real one reach the client in one read).
 * --strict refuses a STARTTLS followed by more input in the same read
 * with 554 and closes, as MTAs that enforce command synchronisation do.
 *
 * --ocsp FILE staples FILE through gnutls_certificate_set_ocsp_status_
 * request_file(), which GnuTLS 3.7.9 checks: it refuses to load a response
 * whose next update has passed, or that says "revoked" (both fail with
 * GNUTLS_E_EXPIRED). --ocsp-raw FILE staples FILE's bytes as they are
 * through the older status-request callback, which GnuTLS does not
 * check, so that tests can serve revoked, expired, wrongly signed or
 * another certificate's responses.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define TLSD_CLIENTS 64
#define TLSD_LIFETIME 60
#define TLSD_LINE 1024
#define TLSD_OCSP_MAX 65536
#define TLSD_OUT 4096

enum cstate { C_FREE, C_PLAIN, C_HANDSHAKE, C_TLS };

struct client {
	enum cstate state;
	int fd;
	gnutls_session_t tls; /* owned from STARTTLS (or accept) on */
	unsigned char in[TLSD_LINE];
	size_t inlen;
	char out[TLSD_OUT]; /* replies, sent when a read's lines are done */
	size_t outlen;
	time_t deadline;
	bool done; /* QUIT answered, or a fatal error: close */
};

struct opts {
	const char *cert, *key, *ocsp, *ocsp_raw, *port_file, *name;
	int port;
	long lifetime; /* seconds the whole server lives */
	bool implicit, vulnerable, late, strict;
};

static struct opts o = {.name = "tlsd.test", .lifetime = 600};
static gnutls_certificate_credentials_t cred;
static gnutls_priority_t prio;
static gnutls_datum_t raw_ocsp;
static struct client clients[TLSD_CLIENTS];
static volatile sig_atomic_t stop;

static void usage(void);
static void parse(int, char **);
static long number(const char *, long, long);
static void setup_tls(void);
static int raw_ocsp_cb(gnutls_session_t, void *, gnutls_datum_t *);
static int listen_on(void);
static void write_port(int);
static void serve(int);
static void accept_one(int);
static void on_ready(struct client *);
static void start_tls(struct client *);
static void step_handshake(struct client *);
static void read_more(struct client *);
static void lines(struct client *);
static void command(struct client *, const char *);
static void reply(struct client *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void flush_out(struct client *);
static void put(struct client *, const char *, size_t);
static void drop(struct client *);
static void on_signal(int);

int
main(int argc, char **argv)
{
	int lfd;

	parse(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setup_tls();
	lfd = listen_on();
	write_port(lfd);
	serve(lfd);
	close(lfd);
	gnutls_certificate_free_credentials(cred);
	gnutls_priority_deinit(prio);
	gnutls_free(raw_ocsp.data);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tlsd --cert PEM --key PEM [--implicit | --strict |\n"
	    "            --vulnerable [--late]]\n"
	    "            [--ocsp DER | --ocsp-raw DER] [--name NAME]\n"
	    "            [--port N] [--port-file FILE] [--lifetime SEC]\n");
	exit(2);
}

/* parse - the command line into o */
static void
parse(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"ocsp", required_argument, NULL, 'o'},
	    {"ocsp-raw", required_argument, NULL, 'r'},
	    {"port", required_argument, NULL, 'p'},
	    {"port-file", required_argument, NULL, 'f'},
	    {"name", required_argument, NULL, 'n'},
	    {"implicit", no_argument, NULL, 'i'},
	    {"vulnerable", no_argument, NULL, 'v'},
	    {"lifetime", required_argument, NULL, 'l'},
	    {"late", no_argument, NULL, 'L'},
	    {"strict", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'o':
			o.ocsp = optarg;
			break;
		case 'r':
			o.ocsp_raw = optarg;
			break;
		case 'f':
			o.port_file = optarg;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'i':
			o.implicit = true;
			break;
		case 'v':
			o.vulnerable = true;
			break;
		case 'L':
			o.late = true;
			break;
		case 's':
			o.strict = true;
			break;
		case 'l':
			o.lifetime = number(optarg, 1, 86400);
			break;
		case 'p':
			o.port = (int)number(optarg, 0, 65535);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.cert == NULL || o.key == NULL ||
	    (o.ocsp != NULL && o.ocsp_raw != NULL) ||
	    (o.implicit && (o.vulnerable || o.strict)) ||
	    (o.late && !o.vulnerable) || (o.strict && o.vulnerable) ||
	    strlen(o.name) > 200)
		usage();
}

/* number - optarg as a decimal in [lo, hi], or the usage */
static long
number(const char *arg, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

/* setup_tls - the server's key, certificate chain and OCSP response */
static void
setup_tls(void)
{
	gnutls_datum_t d;
	int ret;

	if ((ret = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (ret = gnutls_certificate_set_x509_key_file(
		 cred, o.cert, o.key, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_priority_init(&prio, "NORMAL", NULL)) < 0) {
		fprintf(stderr, "tlsd: %s: %s\n", o.cert, gnutls_strerror(ret));
		exit(1);
	}
	if (o.ocsp != NULL &&
	    (ret = gnutls_certificate_set_ocsp_status_request_file(
		 cred, o.ocsp, 0)) < 0) {
		fprintf(stderr, "tlsd: %s: %s\n", o.ocsp, gnutls_strerror(ret));
		exit(1);
	}
	if (o.ocsp_raw != NULL) {
		if ((ret = gnutls_load_file(o.ocsp_raw, &d)) < 0 ||
		    d.size > TLSD_OCSP_MAX) {
			fprintf(stderr, "tlsd: %s: cannot load\n", o.ocsp_raw);
			exit(1);
		}
		raw_ocsp = d;
		gnutls_certificate_set_ocsp_status_request_function(
		    cred, raw_ocsp_cb, NULL);
	}
}

/* raw_ocsp_cb - the --ocsp-raw bytes, unchecked, for every handshake */
static int
raw_ocsp_cb(gnutls_session_t s, void *ptr, gnutls_datum_t *resp)
{
	(void)s;
	(void)ptr;
	resp->data = gnutls_malloc(raw_ocsp.size);
	if (resp->data == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	memcpy(resp->data, raw_ocsp.data, raw_ocsp.size);
	resp->size = raw_ocsp.size;
	return 0;
}

/* listen_on - a non-blocking listener on 127.0.0.1:o.port */
static int
listen_on(void)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 64) == -1) {
		fprintf(stderr, "tlsd: port %d: %s\n", o.port, strerror(errno));
		exit(1);
	}
	return fd;
}

/* write_port - the port listened on, into --port-file, atomically */
static void
write_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char tmp[4096];
	FILE *f;

	if (o.port_file == NULL)
		return;
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", o.port_file) >=
		(int)sizeof(tmp) ||
	    (f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "tlsd: %s: %s\n", o.port_file, strerror(errno));
		exit(1);
	}
	fprintf(f, "%d\n", ntohs(sin.sin_port));
	if (fclose(f) != 0 || rename(tmp, o.port_file) == -1) {
		fprintf(stderr, "tlsd: %s: %s\n", o.port_file, strerror(errno));
		exit(1);
	}
}

/* serve - the poll loop, until SIGTERM, SIGINT or --lifetime */
static void
serve(int lfd)
{
	struct pollfd pfd[TLSD_CLIENTS + 1];
	time_t end = time(NULL) + o.lifetime;
	struct client *c;
	int i, n;

	while (!stop && time(NULL) < end) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < TLSD_CLIENTS; i++) {
			c = &clients[i];
			pfd[i + 1].fd = c->state == C_FREE ? -1 : c->fd;
			pfd[i + 1].events = POLLIN;
			if (c->state == C_HANDSHAKE &&
			    gnutls_record_get_direction(c->tls) == 1)
				pfd[i + 1].events = POLLOUT;
		}
		n = poll(pfd, TLSD_CLIENTS + 1, 500);
		if (n == -1 && errno != EINTR)
			break;
		if (n > 0 && (pfd[0].revents & POLLIN))
			accept_one(lfd);
		for (i = 0; i < TLSD_CLIENTS; i++) {
			c = &clients[i];
			if (c->state != C_FREE && n > 0 && pfd[i + 1].revents)
				on_ready(c);
			if (c->state != C_FREE &&
			    (c->done || time(NULL) >= c->deadline))
				drop(c);
		}
	}
	for (i = 0; i < TLSD_CLIENTS; i++)
		if (clients[i].state != C_FREE)
			drop(&clients[i]);
}

/* accept_one - a new client: a greeting, or a handshake first */
static void
accept_one(int lfd)
{
	struct client *c = NULL;
	int fd, i;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	for (i = 0; i < TLSD_CLIENTS && c == NULL; i++)
		if (clients[i].state == C_FREE)
			c = &clients[i];
	if (c == NULL) {
		close(fd); /* full: bounded, not queued */
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline = time(NULL) + TLSD_LIFETIME;
	c->state = C_PLAIN;
	if (o.implicit)
		start_tls(c);
	else
		reply(c, "220 %s ESMTP tlsd", o.name);
	flush_out(c);
}

/* on_ready - the client's socket is readable (or writable, handshaking) */
static void
on_ready(struct client *c)
{
	if (c->state == C_HANDSHAKE)
		step_handshake(c);
	else
		read_more(c);
}

/* start_tls - a server session on the client's socket */
static void
start_tls(struct client *c)
{
	if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0 ||
	    gnutls_priority_set(c->tls, prio) < 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred) < 0) {
		c->done = true;
		return;
	}
	gnutls_transport_set_int(c->tls, c->fd);
	c->state = C_HANDSHAKE;
	step_handshake(c);
}

/* step_handshake - one step; once done, greet (implicit) or answer what
 * the vulnerable mode kept from before the handshake */
static void
step_handshake(struct client *c)
{
	int ret = gnutls_handshake(c->tls);

	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
		return;
	if (ret < 0) {
		if (!gnutls_error_is_fatal(ret))
			return;
		c->done = true;
		return;
	}
	c->state = C_TLS;
	if (o.implicit)
		reply(c, "220 %s ESMTP tlsd", o.name);
	else if (c->inlen > 0 && !o.late)
		lines(c); /* CVE-2011-0411: plaintext answered inside TLS */
	flush_out(c);
}

/* read_more - what the client sent, in clear or inside TLS */
static void
read_more(struct client *c)
{
	ssize_t n;

	do {
		if (c->inlen == sizeof(c->in)) {
			reply(c, "500 5.5.0 Error: line too long");
			flush_out(c);
			c->done = true;
			return;
		}
		if (c->state == C_TLS)
			n = gnutls_record_recv(
			    c->tls, c->in + c->inlen, sizeof(c->in) - c->inlen);
		else
			n = recv(c->fd, c->in + c->inlen,
			    sizeof(c->in) - c->inlen, 0);
		if (n == GNUTLS_E_AGAIN || (n == -1 && errno == EAGAIN))
			return;
		if (n <= 0) {
			c->done = true;
			return;
		}
		c->inlen += (size_t)n;
		lines(c);
	} while (!c->done && c->state == C_TLS &&
	    gnutls_record_check_pending(c->tls) > 0);
}

/* lines - act on every complete line in the input buffer */
static void
lines(struct client *c)
{
	char line[TLSD_LINE + 1];
	unsigned char *nl;
	size_t len;

	while (!c->done && c->state != C_HANDSHAKE &&
	    (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		len = (size_t)(nl - c->in);
		memcpy(line, c->in, len);
		line[len > 0 && line[len - 1] == '\r' ? len - 1 : len] = '\0';
		c->inlen -= len + 1;
		memmove(c->in, nl + 1, c->inlen);
		command(c, line);
	}
	/* The replies to pipelined commands go out together, as Postfix
	 * sends them: with --late, the NOOP's and the EHLO's in one record. */
	flush_out(c);
}

/* command - one command line and its reply */
static void
command(struct client *c, const char *line)
{
	bool tls = c->state == C_TLS;

	if (strncasecmp(line, "EHLO", 4) == 0 && tls)
		reply(c, "250-%s\r\n250 SIZE 1000", o.name);
	else if (strncasecmp(line, "EHLO", 4) == 0)
		reply(c, "250-%s\r\n250-STARTTLS\r\n250 SIZE 1000", o.name);
	else if (strncasecmp(line, "HELO", 4) == 0)
		reply(c, "250 %s", o.name);
	else if (strcasecmp(line, "NOOP") == 0)
		reply(c, "250 2.0.0 Ok");
	else if (strcasecmp(line, "RSET") == 0)
		reply(c, "250 2.0.0 Ok");
	else if (strcasecmp(line, "QUIT") == 0) {
		reply(c, "221 2.0.0 Bye");
		flush_out(c);
		c->done = true;
	} else if (strcasecmp(line, "STARTTLS") == 0 && tls)
		reply(c, "554 5.5.1 Error: TLS already active");
	else if (strcasecmp(line, "STARTTLS") == 0 && o.strict &&
	    c->inlen > 0) {
		/* RFC 2920 3.1: STARTTLS ends a group; input after it breaks
		 * the synchronisation, and --strict says so, as some MTAs do.
		 */
		reply(c, "554 5.5.1 Error: SMTP synchronization error");
		flush_out(c);
		c->done = true;
	} else if (strcasecmp(line, "STARTTLS") == 0) {
		reply(c, "220 2.0.0 Ready to start TLS");
		flush_out(c);
		/* RFC 3207 5: what came in clear after STARTTLS must not be
		 * taken as sent inside TLS; the vulnerable mode keeps it. */
		if (!o.vulnerable)
			c->inlen = 0;
		start_tls(c);
	} else
		reply(c, "502 5.5.2 Error: command not recognized");
}

/* reply - queue one reply (its lines joined by CRLF), CRLF added */
static void
reply(struct client *c, const char *fmt, ...)
{
	char buf[2 * TLSD_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		n = (int)sizeof(buf) - 3;
	buf[n] = '\r';
	buf[n + 1] = '\n';
	if (c->outlen + (size_t)n + 2 > sizeof(c->out))
		flush_out(c);
	if ((size_t)n + 2 > sizeof(c->out)) {
		put(c, buf, (size_t)n + 2);
		return;
	}
	memcpy(c->out + c->outlen, buf, (size_t)n + 2);
	c->outlen += (size_t)n + 2;
}

/* flush_out - send the replies queued */
static void
flush_out(struct client *c)
{
	put(c, c->out, c->outlen);
	c->outlen = 0;
}

/* put - send all of buf, waiting at most a second at a time for room */
static void
put(struct client *c, const char *buf, size_t len)
{
	struct pollfd p = {.fd = c->fd, .events = POLLOUT};
	ssize_t n;

	while (len > 0 && !c->done) {
		if (c->state == C_TLS)
			n = gnutls_record_send(c->tls, buf, len);
		else
			n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n == GNUTLS_E_AGAIN || (n == -1 && errno == EAGAIN)) {
			if (poll(&p, 1, 1000) <= 0)
				c->done = true;
			continue;
		}
		if (n <= 0) {
			c->done = true;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* drop - close the connection and free the slot */
static void
drop(struct client *c)
{
	if (c->tls != NULL) {
		if (c->state == C_TLS)
			(void)gnutls_bye(c->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c->tls);
	}
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->state = C_FREE;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}
