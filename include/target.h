/*
 * target.h - TARGET syntax: host, host:port, 1.2.3.4:port, [v6]:port.
 */
#ifndef SMTP_PROBE_TARGET_H
#define SMTP_PROBE_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "cli.h"

struct target {
	char host[HOSTNAME_MAX + 1]; /* brackets removed */
	bool is_ip;                  /* an address literal: no SNI */
	int port;                    /* 0: use the port list */
	enum mode mode;              /* with port */
};

/*
 * target_parse - split one TARGET. Returns 0, or -1 with a sentence in err.
 * A port may carry a mode as in --ports: "host:465/implicit".
 */
int target_parse(const char *s, struct target *t, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
