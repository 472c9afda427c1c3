/*
 * diagnose_auth.c - AUTH offered before TLS, judged by what its mechanisms
 * expose, with the setting of the server software the greeting names.
 *
 * PLAIN and LOGIN (RFC 4616, draft-murchison-sasl-login) send the password
 * itself, base64 being no protection: offered in clear, a client that
 * authenticates before STARTTLS hands it to anyone on the path (critical).
 * Challenge-response mechanisms (CRAM-MD5 RFC 2195, DIGEST-MD5, SCRAM-*
 * RFC 5802, NTLM) and those without a password (GSSAPI, EXTERNAL) never
 * send it; the exchange can still be recorded and weak passwords guessed
 * offline (warning). A mechanism this file does not know is assumed to
 * send the password: the safe mistake.
 *
 * Pure: reads the banner and the AUTH lists, writes through diag_add().
 * Knows server software only by the words of its greeting, so the
 * settings are named when a greeting says "Postfix", "Exim", "Sendmail",
 * "OpenSMTPD" or "Microsoft", and neutral words are used otherwise.
 */
#include "diagnose.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Words of a greeting that name server software, whole and any case. */
static const struct {
	const char *word;
	enum server_sw sw;
} sw_words[] = {
    {"postfix", SW_POSTFIX}, {"exim", SW_EXIM}, {"sendmail", SW_SENDMAIL},
    {"opensmtpd", SW_OPENSMTPD},
    {"microsoft", SW_EXCHANGE}, /* "Microsoft ESMTP MAIL Service" */
};

static enum server_sw words_name(const struct text *);
static bool sends_password(const struct text *);
static void mech_list(const struct auth_result *, bool, char *, size_t);
static const char *auth_setting(enum server_sw, bool);

/* diag_auth - AUTH in clear text: critical when a password would cross */
void
diag_auth(struct probe_result *p)
{
	const char *no_starttls =
	    p->starttls.offered ? "" : ", and offers no STARTTLS at all";
	enum server_sw sw = diag_server_software(p);
	char pw[256], cr[256];

	if (p->auth.nbefore == 0)
		return;
	mech_list(&p->auth, true, pw, sizeof(pw));
	mech_list(&p->auth, false, cr, sizeof(cr));
	if (pw[0] != '\0')
		diag_add(p, F_AUTH_BEFORE_TLS,
		    "The server offers AUTH before TLS on port %d%s, with "
		    "mechanisms that send the password itself (%s; base64 is "
		    "no protection): a client that logs in before TLS gives "
		    "it to anyone on the path. Offer AUTH only inside TLS "
		    "(%s).",
		    p->port, no_starttls, pw, auth_setting(sw, false));
	else
		diag_add_milder(p, F_AUTH_BEFORE_TLS, true,
		    "The server offers AUTH before TLS on port %d%s, only "
		    "with mechanisms that do not send the password (%s). "
		    "The user name and the exchange can still be recorded, "
		    "and weak passwords guessed from it offline. Offer AUTH "
		    "only inside TLS (%s).",
		    p->port, no_starttls, cr, auth_setting(sw, true));
}

/* diag_server_software - the software p's greeting names, by its words */
enum server_sw
diag_server_software(const struct probe_result *p)
{
	enum server_sw sw;
	size_t i;

	for (i = 0; p->banner.present && i < p->banner.nlines; i++)
		if ((sw = words_name(&p->banner.lines[i])) != SW_UNKNOWN)
			return sw;
	return SW_UNKNOWN;
}

/* words_name - the first word of t that names server software */
static enum server_sw
words_name(const struct text *t)
{
	size_t i = 0, start, k;

	while (i < t->len) {
		while (i < t->len && !isalnum(t->data[i]))
			i++;
		start = i;
		while (i < t->len && isalnum(t->data[i]))
			i++;
		for (k = 0; k < sizeof(sw_words) / sizeof(sw_words[0]); k++)
			if (i - start == strlen(sw_words[k].word) &&
			    strncasecmp((const char *)t->data + start,
				sw_words[k].word, i - start) == 0)
				return sw_words[k].sw;
	}
	return SW_UNKNOWN;
}

/*
 * sends_password - the mechanism sends the password (or a bearer token)
 * itself; false only for those known not to
 */
static bool
sends_password(const struct text *m)
{
	static const char *const safe[] = {"CRAM-MD5", "DIGEST-MD5", "NTLM",
	    "GSSAPI", "GSS-SPNEGO", "EXTERNAL", "ANONYMOUS"};
	const char *s = (const char *)m->data;
	size_t i;

	if (m->len > 6 && strncmp(s, "SCRAM-", 6) == 0)
		return false;
	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (m->len == strlen(safe[i]) &&
		    memcmp(s, safe[i], m->len) == 0)
			return false;
	return true;
}

/*
 * mech_list - "PLAIN, LOGIN", the mechanisms offered before TLS that
 * send the password (pw) or do not (!pw); empty when there are none
 */
static void
mech_list(const struct auth_result *a, bool pw, char *buf, size_t size)
{
	size_t i, len = 0, n = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < a->nbefore; i++) {
		if (sends_password(&a->before[i]) != pw)
			continue;
		/* Server text, cut: a name is at most 20 characters
		 * (RFC 4422 3.1); the renderers escape it. */
		w = snprintf(buf + len, size - len, "%s%.*s",
		    n == 0 ? "" : ", ",
		    (int)(a->before[i].len < 40 ? a->before[i].len : 40),
		    (const char *)a->before[i].data);
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
		n++;
	}
}

/*
 * auth_setting - the setting that offers AUTH only inside TLS, for the
 * software sw; challenge: only challenge-response mechanisms are offered
 */
static const char *
auth_setting(enum server_sw sw, bool challenge)
{
	switch (sw) {
	case SW_POSTFIX:
		return "Postfix: smtpd_tls_auth_only = yes in main.cf";
	case SW_EXIM:
		return "Exim: auth_advertise_hosts = "
		       "${if eq{$tls_in_cipher}{}{}{*}}";
	case SW_SENDMAIL:
		return challenge
		    ? "Sendmail: define(`confAUTH_OPTIONS', `p') hides only "
		      "the mechanisms that send the password until STARTTLS; "
		      "to offer none in clear, list only PLAIN and LOGIN in "
		      "confAUTH_MECHANISMS"
		    : "Sendmail: define(`confAUTH_OPTIONS', `p') in "
		      "sendmail.mc, which offers the mechanisms that send the "
		      "password only after STARTTLS";
	case SW_OPENSMTPD:
		return "OpenSMTPD: enable auth only on listeners with tls or "
		       "tls-require (listen on ... tls auth), which offer AUTH "
		       "only inside TLS";
	case SW_EXCHANGE:
		return "Exchange: on the Receive connector, require TLS before "
		       "AUTH (Set-ReceiveConnector -RequireTLS $true, "
		       "-AuthMechanism with BasicAuthRequireTLS)";
	default:
		return "the greeting does not name the server software: look "
		       "for its setting that offers AUTH only after STARTTLS";
	}
}
