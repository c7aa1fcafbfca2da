/*
 * Address lists: inline addresses and prefixes, and @files of them (one
 * per line, "#" comments), all gathered in one prefix set so that a
 * blocklist of 100,000 entries costs about as much per event as one
 * address.  Every entry is checked; the first bad one is an error that
 * points into the file it came from.
 */
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "xalloc.h"

static int
add(struct ct_prefix_set *set, const struct ct_addr *a, unsigned len)
{
	if (ct_prefix_set_add(set, a, len) < 0)
		fatal(EX_OSERR, "cannot add to an address list");
	return 0;
}

static bool
space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Record an error on line lineno of an address file. */
static void
file_error(struct parser *p, const char *path, unsigned long lineno,
    const char *line, size_t linelen, size_t off, size_t len,
    const char *why)
{
	struct perr *err = p->err;

	if (err->msg[0] != '\0')
		return;
	snprintf(err->msg, sizeof(err->msg), "%s '%.*s'", why,
	    len > 64 ? 64 : (int)len, line + off);
	err->origin = xstrdup(path);
	err->line = lineno;
	err->text = xmalloc(linelen + 1);
	memcpy(err->text, line, linelen);
	err->text[linelen] = '\0';
	err->textlen = linelen;
	err->off = off;
	err->len = len;
}

static int
load_file(struct parser *p, const struct token *t, struct ct_prefix_set *set)
{
	char *path, *line = NULL;
	size_t cap = 0, n, a, b, end;
	unsigned long lineno = 0;
	struct ct_addr addr;
	unsigned len;
	const char *why;
	ssize_t got;
	FILE *f;
	int rc = 0;

	if (p->flags & PARSE_NO_FILES) {
		perror_at(p, t, "address files are not allowed here");
		return -1;
	}
	if (t->len == 0) {
		perror_at(p, t, "missing file name after '@'");
		return -1;
	}
	path = xmalloc(t->len + 1);
	memcpy(path, t->p, t->len);
	path[t->len] = '\0';
	if ((f = fopen(path, "re")) == NULL) {
		perror_at(p, t, "cannot open address file '%s': %s", path,
		    strerror(errno));
		p->err->status = EX_NOINPUT;
		free(path);
		return -1;
	}
	while ((got = getline(&line, &cap, f)) > 0) {
		lineno++;
		n = (size_t)got;
		if (line[n - 1] == '\n')
			n--;
		end = n;
		if ((b = strcspn(line, "#")) < end)
			end = b;
		for (a = 0; a < end && space(line[a]); a++)
			;
		for (b = end; b > a && space(line[b - 1]); b--)
			;
		if (a == b)
			continue;
		if (ct_prefix_parse(line + a, b - a, &addr, &len, &why) < 0) {
			file_error(p, path, lineno, line, n, a, b - a, why);
			rc = -1;
			break;
		}
		add(set, &addr, len);
	}
	if (rc == 0 && ferror(f)) {
		perror_at(p, t, "cannot read address file '%s': %s", path,
		    strerror(errno));
		p->err->status = EX_NOINPUT;
		rc = -1;
	}
	fclose(f);
	free(line);
	free(path);
	return rc;
}

struct expr *
parse_addrs(struct parser *p, enum side side)
{
	struct expr *e = xcalloc(1, sizeof(*e));
	const struct token *t = &p->tok;
	struct ct_addr addr;
	unsigned len;
	const char *why;

	e->kind = E_ADDR;
	e->side = side;
	ct_prefix_set_init(&e->u.addr.set);
	p->need |= side == SIDE_SRC ? F_SRC : F_DST;
	for (;;) {
		if (t->type == T_FILE) {
			if (load_file(p, t, &e->u.addr.set) < 0)
				goto fail;
		} else if (t->type == T_WORD) {
			if (ct_prefix_parse(t->p, t->len, &addr, &len,
			    &why) < 0) {
				perror_at(p, t, "%s '%.*s'", why,
				    t->len > 64 ? 64 : (int)t->len, t->p);
				goto fail;
			}
			add(&e->u.addr.set, &addr, len);
		} else {
			expected(p, "an address");
			goto fail;
		}
		advance(p);
		if (t->type != T_COMMA)
			break;
		advance(p);
	}
	if (t->type == T_ON) {
		advance(p);
		if (t->type != T_PORT) {
			expected(p, "'port' after 'on'");
			goto fail;
		}
		advance(p);
		if (parse_ranges(p, "port", 65535, &e->u.addr.ports) < 0)
			goto fail;
		p->need |= side == SIDE_SRC ? F_SPORT : F_DPORT;
	}
	if (ct_prefix_set_build(&e->u.addr.set) < 0)
		fatal(EX_OSERR, "cannot build an address list");
	return e;
fail:
	expr_free(e);
	return NULL;
}
