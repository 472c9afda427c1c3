/*
 * https.c - libcurl's multi socket interface inside the reactor: HTTPS
 * GETs that never block, for MTA-STS policies (RFC 8461 3.3).
 *
 * libcurl tells us, through CURLMOPT_SOCKETFUNCTION, each socket it opens
 * and what it waits for; each becomes a source of the loop, and readiness
 * goes back through curl_multi_socket_action(). Its timer
 * (CURLMOPT_TIMERFUNCTION) is one more source. Finished transfers are
 * collected after each action and their callers told then, never inside
 * a libcurl callback nor inside https_get().
 *
 * What RFC 8461 3.3 asks of a policy fetch is set on every transfer and
 * never left to defaults or the environment: HTTPS only
 * (CURLOPT_PROTOCOLS_STR), no redirect followed, no proxy from
 * https_proxy, the peer's certificate verified for the host against
 * --cafile or the system's store, the body bounded (a larger one ends the
 * transfer at once), the whole fetch timed. libcurl resolves nothing: the
 * addresses come from c-ares through CURLOPT_RESOLVE, so --resolver applies
 * and no thread or blocking lookup is involved. Connections are not kept:
 * each policy lives on its own host.
 */
#include "https.h"

#include <sys/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "clock.h"
#include "log.h"
#include "version.h"
#include "xalloc.h"

/* One socket libcurl has open, as a source of the loop. */
struct hsock {
	struct source src;
	struct https *h;
	struct hsock *prev, *next; /* h->socks */
};

struct https_get {
	struct https *h;
	CURL *easy;                 /* owned */
	struct curl_slist *resolve; /* owned: "host:443:addr,..." */
	char *body;                 /* owned, max + 1 bytes once used */
	size_t len, max;
	bool too_big;                 /* the body passed max: aborted */
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's own detail */
	https_done_fn *done;
	void *arg;
	struct https_get *prev, *next; /* h->gets */
};

struct https {
	struct loop *loop;
	CURLM *multi;           /* owned */
	struct source timer;    /* libcurl's next deadline */
	char *cafile;           /* owned; NULL: the system's store */
	struct hsock *socks;    /* owned, one per libcurl socket */
	struct https_get *gets; /* fetches in flight */
};

static int sock_cb(CURL *, curl_socket_t, int, void *, void *);
static int timer_cb(CURLM *, long, void *);
static void on_sock(struct source *, short, int64_t);
static void on_timer(struct source *, int64_t);
static void collect(struct https *);
static void finished(struct https_get *, CURLcode);
static void get_release(struct https_get *);
static size_t on_body(char *, size_t, size_t, void *);
static struct curl_slist *resolve_list(const char *, const struct dns_addrs *);
static void must(CURLcode);

/* https_new - a multi handle whose sockets are sources of loop */
struct https *
https_new(struct loop *loop, const char *cafile, char *err, size_t errlen)
{
	struct https *h;
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(rc));
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	if ((h->multi = curl_multi_init()) == NULL) {
		snprintf(err, errlen, "libcurl: cannot make a multi handle");
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	h->cafile = cafile != NULL ? xstrdup(cafile) : NULL;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	loop_add_timer(loop, &h->timer, LOOP_NEVER, on_timer);
	return h;
}

/* https_free - the multi handle, its sockets and what is left in flight */
void
https_free(struct https *h)
{
	struct hsock *s;

	if (h == NULL)
		return;
	while (h->gets != NULL)
		https_cancel(h->gets);
	/* Closing its connections, libcurl reports their sockets removed. */
	curl_multi_cleanup(h->multi);
	while ((s = h->socks) != NULL) {
		h->socks = s->next;
		loop_del(h->loop, &s->src);
		free(s);
	}
	loop_del(h->loop, &h->timer);
	free(h->cafile);
	free(h);
	curl_global_cleanup();
}

/* https_get - start one GET; its answer comes from the loop */
struct https_get *
https_get(struct https *h, const char *url, const char *host,
    const struct dns_addrs *addrs, int timeout_ms, size_t max,
    https_done_fn *done, void *arg)
{
	struct https_get *g = xcalloc(1, sizeof(*g));
	CURL *e;

	g->h = h;
	g->max = max;
	g->done = done;
	g->arg = arg;
	if ((e = g->easy = curl_easy_init()) == NULL)
		must(CURLE_OUT_OF_MEMORY);
	g->resolve = resolve_list(host, addrs);
	must(curl_easy_setopt(e, CURLOPT_URL, url));
	must(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https"));
	must(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
	must(curl_easy_setopt(e, CURLOPT_PROXY, ""));
	must(curl_easy_setopt(e, CURLOPT_RESOLVE, g->resolve));
	must(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L));
	must(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L));
	if (h->cafile != NULL) {
		must(curl_easy_setopt(e, CURLOPT_CAINFO, h->cafile));
		must(curl_easy_setopt(e, CURLOPT_CAPATH, NULL));
	}
	must(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms));
	must(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max));
	must(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
	must(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
	must(curl_easy_setopt(
	    e, CURLOPT_USERAGENT, "smtp-probe/" SMTP_PROBE_VERSION));
	must(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body));
	must(curl_easy_setopt(e, CURLOPT_WRITEDATA, g));
	must(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, g->errbuf));
	must(curl_easy_setopt(e, CURLOPT_PRIVATE, g));
	g->next = h->gets;
	if (h->gets != NULL)
		h->gets->prev = g;
	h->gets = g;
	/* libcurl only arms its timer here: the transfer starts from the
	 * loop, so done never runs inside this call. */
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		must(CURLE_OUT_OF_MEMORY);
	return g;
}

/* https_cancel - stop a fetch; its callback never runs */
void
https_cancel(struct https_get *g)
{
	if (g == NULL)
		return;
	curl_multi_remove_handle(g->h->multi, g->easy);
	get_release(g);
}

/*
 * sock_cb - libcurl opened, changed or is done with a socket: make the
 * loop's source of it say the same
 */
static int
sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct https *h = userp;
	struct hsock *s = socketp;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s == NULL)
			return 0;
		loop_del(h->loop, &s->src);
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			h->socks = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
		free(s);
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->h = h;
		s->src.fd = fd;
		s->src.deadline = LOOP_NEVER;
		s->src.on_io = on_sock;
		if ((s->next = h->socks) != NULL)
			h->socks->prev = s;
		h->socks = s;
		curl_multi_assign(h->multi, fd, s);
	}
	s->src.events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
	    (what & CURL_POLL_OUT ? POLLOUT : 0));
	if (s->src.added)
		loop_update(h->loop, &s->src);
	else
		loop_add(h->loop, &s->src);
	return 0;
}

/* timer_cb - libcurl wants to act in ms (-1: never); 0 is the next pass */
static int
timer_cb(CURLM *m, long ms, void *userp)
{
	struct https *h = userp;

	(void)m;
	h->timer.deadline = ms < 0 ? LOOP_NEVER : clock_ms() + ms;
	loop_update(h->loop, &h->timer);
	return 0;
}

/* on_sock - a libcurl socket is ready; s may be freed inside the action */
static void
on_sock(struct source *src, short revents, int64_t now)
{
	struct hsock *s = (struct hsock *)src;
	struct https *h = s->h;
	int running, mask = 0;

	(void)now;
	if (revents & (POLLIN | POLLHUP))
		mask |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (revents & POLLERR)
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, src->fd, mask, &running);
	collect(h);
}

/* on_timer - libcurl's deadline: connects, timeouts, the first step */
static void
on_timer(struct source *src, int64_t now)
{
	struct https *h =
	    (struct https *)((char *)src - offsetof(struct https, timer));
	int running;

	(void)now;
	h->timer.deadline = LOOP_NEVER;
	loop_update(h->loop, &h->timer);
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(h);
}

/* collect - tell the callers of the transfers that ended */
static void
collect(struct https *h)
{
	struct https_get *g;
	CURLMsg *msg;
	int left;
	char *priv;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		g = (struct https_get *)(void *)priv;
		finished(g, msg->data.result);
	}
}

/* finished - one transfer's reply to its caller, then released */
static void
finished(struct https_get *g, CURLcode rc)
{
	struct https_reply r;
	char *type = NULL;

	memset(&r, 0, sizeof(r));
	curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, &r.code);
	curl_easy_getinfo(g->easy, CURLINFO_CONTENT_TYPE, &type);
	snprintf(r.content_type, sizeof(r.content_type), "%s",
	    type != NULL ? type : "");
	r.body = g->body != NULL ? g->body : "";
	r.len = g->len;
	if (g->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(r.error, sizeof(r.error),
		    "the body is larger than %zu bytes", g->max);
	else if (rc != CURLE_OK)
		/* libcurl's own sentence is the more precise one. */
		snprintf(r.error, sizeof(r.error), "%.200s",
		    g->errbuf[0] != '\0' ? g->errbuf : curl_easy_strerror(rc));
	curl_multi_remove_handle(g->h->multi, g->easy);
	g->done(g->arg, &r);
	get_release(g);
}

/* get_release - unlink and free a fetch libcurl no longer holds */
static void
get_release(struct https_get *g)
{
	struct https *h = g->h;

	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		h->gets = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	curl_easy_cleanup(g->easy);
	curl_slist_free_all(g->resolve);
	free(g->body);
	free(g);
}

/* on_body - keep up to max bytes; more ends the transfer (returns 0) */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct https_get *g = arg;
	size_t len = size * n;

	if (len > g->max - g->len) {
		g->too_big = true;
		return 0;
	}
	if (g->body == NULL)
		g->body = xmalloc(g->max + 1);
	memcpy(g->body + g->len, data, len);
	g->len += len;
	g->body[g->len] = '\0';
	return len;
}

/* resolve_list - CURLOPT_RESOLVE's "host:443:a,b,[v6]" for addrs */
static struct curl_slist *
resolve_list(const char *host, const struct dns_addrs *addrs)
{
	char entry[HOSTNAME_MAX + 16 + RESOLVE_ADDRS_MAX * 48], ip[64];
	struct curl_slist *l;
	size_t i, n;

	n = (size_t)snprintf(entry, sizeof(entry), "%s:443:", host);
	for (i = 0; i < addrs->n && n < sizeof(entry); i++) {
		dns_addr_text(
		    (const struct sockaddr *)&addrs->addr[i], ip, sizeof(ip));
		n += (size_t)snprintf(entry + n, sizeof(entry) - n,
		    addrs->addr[i].ss_family == AF_INET6 ? "%s[%s]" : "%s%s",
		    i > 0 ? "," : "", ip);
	}
	if ((l = curl_slist_append(NULL, entry)) == NULL)
		must(CURLE_OUT_OF_MEMORY);
	return l;
}

/*
 * must - libcurl refused an option or memory: the tool itself failed
 * (every option set here exists in the libcurl this was built with)
 */
static void
must(CURLcode rc)
{
	if (rc == CURLE_OK)
		return;
	log_warn("libcurl: %s", curl_easy_strerror(rc));
	exit(EXIT_TOOL_FAILURE);
}
