/*
 * clilogs.c: the logs command, which reads a tenant's log files itself
 * (the last lines across NAME.log.K .. NAME.log, --follow through
 * rotation), with or without a master.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "ctlproto.h"
#include "err.h"
#include "fd.h"
#include "name.h"

#define LOGS_DEFAULT	20
#define LOGS_MAX	100000000L
#define LOGS_CHUNK	65536
#define LOGS_LINE_CAP	(1024 * 1024)	/* a longer "line" is cut */
#define LOGS_KEEP_MAX	1001		/* logs.keep is at most 1000 */
#define LOGS_POLL_MS	100

enum logs_filter {
	LOGS_BOTH,
	LOGS_OUT,
	LOGS_ERR,
};

/* Lines collected newest first, each with its newline. */
struct logs_lines {
	char	**v;
	size_t	  n, cap;
};

/* The file --follow reads, and the line it has begun. */
struct logs_follow {
	const char	*path;
	enum logs_filter filter;
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;
	char		*part;
	size_t		 plen;
};

static volatile sig_atomic_t logs_stop;

static int
logs_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
logs_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vectis-supervisor: logs: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(stderr, "logs");
	return VX_EXIT_USAGE;
}

/* "TIME out text": the second word says the stream. */
static int
logs_match(const char *line, size_t len, enum logs_filter f)
{
	const char *sp;

	if (f == LOGS_BOTH)
		return 1;
	if ((sp = memchr(line, ' ', len)) == NULL ||
	    (size_t)(line + len - sp) < 5 || sp[4] != ' ')
		return 0;
	return memcmp(sp + 1, f == LOGS_OUT ? "out" : "err", 3) == 0;
}

static int
logs_push(struct logs_lines *l, const char *p, size_t len)
{
	char **nv, *s;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
	}
	if ((s = malloc(len + 2)) == NULL)
		return -1;
	memcpy(s, p, len);
	if (len == 0 || s[len - 1] != '\n')
		s[len++] = '\n';
	s[len] = '\0';
	l->v[l->n++] = s;
	return 0;
}

static void
logs_lines_free(struct logs_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
logs_pread(int fd, char *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pread(fd, buf, len, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * Collect up to want matching lines of fd's first end bytes, newest
 * first, reading backwards a chunk at a time.  With whole_only, a last
 * line still being written is left out and *endp is where it starts.
 */
static int
logs_tail_fd(int fd, off_t end, size_t want, enum logs_filter f,
    int whole_only, struct logs_lines *out, off_t *endp)
{
	char *buf = NULL, *nb, *carry = NULL;
	size_t clen = 0, total, start, i, nidx, cap = 0;
	size_t *idx = NULL, *ni, icap = 0;
	off_t lo, hi = end;
	const char *p, *nl;
	int first = 1, rc = -1;

	if (endp != NULL)
		*endp = end;
	while (hi > 0 && out->n < want) {
		lo = hi > LOGS_CHUNK ? hi - LOGS_CHUNK : 0;
		total = (size_t)(hi - lo) + clen;
		if (buf == NULL || total > cap) {
			if ((nb = realloc(buf, total)) == NULL)
				goto out;
			buf = nb;
			cap = total;
		}
		if (logs_pread(fd, buf, (size_t)(hi - lo), lo) == -1)
			goto out;
		if (clen > 0)
			memcpy(buf + (hi - lo), carry, clen);
		if (first && whole_only && buf[total - 1] != '\n') {
			/* Being written now: --follow prints it whole later. */
			for (i = total; i > 0 && buf[i - 1] != '\n'; i--)
				;
			if (i > 0 || lo == 0) {
				if (endp != NULL)
					*endp = lo + (off_t)i;
				total = i;
			}
		}
		first = 0;
		start = 0;
		if (lo > 0) {
			/* The first piece is the end of an earlier line. */
			if ((nl = memchr(buf, '\n', total)) == NULL) {
				if (total > LOGS_LINE_CAP)
					total = 0;	/* no line structure */
				free(carry);
				if ((carry = malloc(total + 1)) == NULL)
					goto out;
				memcpy(carry, buf, total);
				clen = total;
				hi = lo;
				continue;
			}
			start = (size_t)(nl - buf) + 1;
		}
		/* Index the lines of buf[start, total) front to back. */
		nidx = 0;
		if (icap == 0) {
			icap = 1024;
			if ((idx = malloc(icap * sizeof(*idx))) == NULL)
				goto out;
		}
		for (p = buf + start; p < buf + total; p = nl + 1) {
			if (nidx + 1 >= icap) {
				icap = icap ? icap * 2 : 1024;
				if ((ni = realloc(idx, icap * sizeof(*ni))) ==
				    NULL)
					goto out;
				idx = ni;
			}
			idx[nidx++] = (size_t)(p - buf);
			if ((nl = memchr(p, '\n', (size_t)(buf + total - p))) ==
			    NULL)
				nl = buf + total - 1;
		}
		idx[nidx] = total;
		for (i = nidx; i > 0 && out->n < want; i--) {
			p = buf + idx[i - 1];
			if (logs_match(p, idx[i] - idx[i - 1], f) &&
			    logs_push(out, p, idx[i] - idx[i - 1]) == -1)
				goto out;
		}
		free(carry);
		if ((carry = malloc(start + 1)) == NULL)
			goto out;
		memcpy(carry, buf, start);
		clen = start;
		hi = lo;
	}
	rc = 0;
out:
	free(buf);
	free(carry);
	free(idx);
	return rc;
}

static int
logs_numbered(const char *path, int k, char *buf, size_t len)
{
	int w;

	if (k == 0)
		w = snprintf(buf, len, "%s", path);
	else
		w = snprintf(buf, len, "%s.%d", path, k);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* Print l oldest first; -1 if stdout failed. */
static int
logs_print(struct logs_lines *l)
{
	size_t i;

	for (i = l->n; i > 0; i--)
		fputs(l->v[i - 1], stdout);
	return fflush(stdout) == EOF ? -1 : 0;
}

/*
 * The last want lines of NAME.log and the rotated files before it.  The
 * current file stays open in *fdp (its end in *endp) for --follow.
 * Returns the number of files found, or -1 with errno.
 */
static int
logs_tail(const char *path, size_t want, enum logs_filter f, int follow,
    int *fdp, off_t *endp, dev_t *devp, ino_t *inop)
{
	struct logs_lines l = { NULL, 0, 0 };
	struct { dev_t dev; ino_t ino; } seen[LOGS_KEEP_MAX + 1];
	char p[PATH_MAX];
	struct stat st;
	int k, j, fd, found = 0, dup, rc = -1;

	*fdp = -1;
	for (k = 0; k <= LOGS_KEEP_MAX; k++) {
		if (k > 0 && l.n >= want && found > 0)
			break;
		if (logs_numbered(path, k, p, sizeof(p)) == -1)
			break;
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1) {
			if (errno == ENOENT && k > 0)
				break;
			if (errno == ENOENT)
				continue;	/* rotated files may remain */
			goto out;
		}
		if (fstat(fd, &st) == -1) {
			close(fd);
			goto out;
		}
		/* A rotation while we open: the same file under two names. */
		for (j = dup = 0; j < found; j++)
			if (seen[j].dev == st.st_dev &&
			    seen[j].ino == st.st_ino)
				dup = 1;
		if (dup) {
			close(fd);
			continue;
		}
		seen[found].dev = st.st_dev;
		seen[found].ino = st.st_ino;
		found++;
		if (k == 0)
			*endp = st.st_size;
		if (l.n < want && logs_tail_fd(fd, st.st_size, want, f,
		    follow && k == 0, &l, k == 0 ? endp : NULL) == -1) {
			close(fd);
			goto out;
		}
		if (k == 0) {
			*fdp = fd;
			*devp = st.st_dev;
			*inop = st.st_ino;
		} else
			close(fd);
	}
	if (logs_print(&l) == -1)
		errno = EPIPE;
	else
		rc = found;
out:
	logs_lines_free(&l);
	if (rc == -1 && *fdp != -1) {
		close(*fdp);
		*fdp = -1;
	}
	return rc;
}

/* Does the master know the tenant?  1 yes, 0 no, -1 no master to ask. */
static int
logs_known(const struct vx_paths *paths, const char *name)
{
	json_t *req, *rep;
	int stage, rc = -1;

	if ((req = ctl_request_new("status")) == NULL)
		return -1;
	json_object_set_new(req, "name", json_string(name));
	if ((rep = cli_request(paths, req, 0, &stage)) == NULL)
		return -1;
	if (json_is_true(json_object_get(rep, "ok")))
		rc = 1;
	else if (json_integer_value(json_object_get(rep, "code")) ==
	    VX_EXIT_NOTENANT)
		rc = 0;
	json_decref(rep);
	return rc;
}

/* Print the complete lines of f->part + data; keep the rest. */
static int
logs_emit(struct logs_follow *f, const char *data, size_t len, int all)
{
	const char *nl;
	size_t take;
	char *np;

	while (len > 0 || (all && f->plen > 0)) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (nl == NULL && !all && f->plen + take < LOGS_LINE_CAP) {
			if ((np = realloc(f->part, f->plen + take)) == NULL)
				return -1;
			f->part = np;
			memcpy(f->part + f->plen, data, take);
			f->plen += take;
			return 0;
		}
		/* A whole line, split over reads or not. */
		if (f->plen > 0) {
			if ((np = realloc(f->part, f->plen + take + 1)) ==
			    NULL)
				return -1;
			f->part = np;
			memcpy(f->part + f->plen, data, take);
			f->plen += take;
			if (f->part[f->plen - 1] != '\n')
				f->part[f->plen++] = '\n';
			if (logs_match(f->part, f->plen, f->filter))
				fwrite(f->part, 1, f->plen, stdout);
			f->plen = 0;
		} else if (logs_match(data, take, f->filter)) {
			fwrite(data, 1, take, stdout);
			if (data[take - 1] != '\n')
				fputc('\n', stdout);
		}
		data += take;
		len -= take;
	}
	return 0;
}

/* Print what was appended to the followed file; 1 if there was any. */
static int
logs_read(struct logs_follow *f)
{
	char buf[LOGS_CHUNK];
	ssize_t n;
	int any = 0;

	while (f->fd != -1 && !logs_stop) {
		n = pread(f->fd, buf, sizeof(buf), f->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		f->off += n;
		any = 1;
		if (logs_emit(f, buf, (size_t)n, 0) == -1)
			return -1;
	}
	return any;
}

/* Print a whole rotated file that --follow would otherwise skip. */
static void
logs_whole(struct logs_follow *f, const char *path)
{
	struct logs_follow g = *f;
	struct stat st;

	g.part = NULL;
	g.plen = 0;
	g.off = 0;
	if ((g.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(g.fd, &st) == 0 && (st.st_dev != f->dev ||
	    st.st_ino != f->ino)) {
		(void)logs_read(&g);
		(void)logs_emit(&g, "", 0, 1);
	}
	close(g.fd);
	free(g.part);
}

/*
 * NAME.log is another file now: finish the old one, print the rotated
 * files that came after it (more than one rotation since we looked),
 * then start on the new one.
 */
static void
logs_rotated(struct logs_follow *f)
{
	char p[PATH_MAX];
	struct stat st;
	int k, at = 0;

	(void)logs_read(f);
	(void)logs_emit(f, "", 0, 1);
	for (k = 1; k <= LOGS_KEEP_MAX; k++) {
		if (logs_numbered(f->path, k, p, sizeof(p)) == -1 ||
		    stat(p, &st) == -1)
			break;
		if (st.st_dev == f->dev && st.st_ino == f->ino) {
			at = k;
			break;
		}
	}
	for (k = at - 1; k >= 1; k--)
		if (logs_numbered(f->path, k, p, sizeof(p)) == 0)
			logs_whole(f, p);
	close(f->fd);
	f->fd = -1;
}

static void
logs_sig(int sig)
{
	logs_stop = 1;
}

/* Stream until SIGINT, SIGTERM or a closed stdout. */
static int
logs_follow(struct logs_follow *f)
{
	struct timespec ts = { 0, LOGS_POLL_MS * 1000000L };
	struct sigaction sa;
	struct stat st;
	int any;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = logs_sig;	/* no SA_RESTART: the sleep ends */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!logs_stop) {
		if ((any = logs_read(f)) == -1)
			return VX_EXIT_FAIL;
		if (fflush(stdout) == EOF || ferror(stdout))
			return 0;	/* the reader went away: done */
		if (stat(f->path, &st) == 0) {
			if (f->fd != -1 && (st.st_dev != f->dev ||
			    st.st_ino != f->ino)) {
				logs_rotated(f);
				any = 1;
			}
			if (f->fd == -1) {
				f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
				if (f->fd != -1 && fstat(f->fd, &st) == 0) {
					f->dev = st.st_dev;
					f->ino = st.st_ino;
					f->off = 0;
					f->plen = 0;
					any = 1;
				}
			} else if (st.st_size < f->off) {
				/* Truncated in place (keep 0, copytruncate). */
				f->off = 0;
				f->plen = 0;
				any = 1;
			}
		}
		if (!any)
			nanosleep(&ts, NULL);
	}
	(void)logs_emit(f, "", 0, 1);
	(void)fflush(stdout);	/* stopped by a signal: nothing to report */
	return 0;
}

static int
logs_parse_lines(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > LOGS_MAX)
		return -1;
	*out = v;
	return 0;
}

/* vectis-supervisor logs NAME [--follow] [--lines N] [--stdout|--stderr] */
int
clilogs_main(const struct vx_paths *paths, int argc, char **argv)
{
	struct logs_follow f;
	struct vx_err err;
	const char *name = NULL, *v;
	char path[PATH_MAX];
	int a, follow = 0, found, known;
	long lines = LOGS_DEFAULT;
	off_t end = 0;

	memset(&f, 0, sizeof(f));
	f.fd = -1;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--follow") == 0 ||
		    strcmp(argv[a], "-f") == 0)
			follow = 1;
		else if (strcmp(argv[a], "--stdout") == 0 ||
		    strcmp(argv[a], "--stderr") == 0) {
			if (f.filter != LOGS_BOTH)
				return logs_usage("%s", "give --stdout or "
				    "--stderr, not both");
			f.filter = argv[a][5] == 'o' ? LOGS_OUT : LOGS_ERR;
		} else if (strcmp(argv[a], "--lines") == 0 ||
		    strcmp(argv[a], "-n") == 0 ||
		    strncmp(argv[a], "--lines=", 8) == 0) {
			if (argv[a][1] == '-' && argv[a][7] == '=')
				v = argv[a] + 8;
			else if (a + 1 < argc)
				v = argv[++a];
			else
				return logs_usage("%s needs a value",
				    argv[a]);
			if (logs_parse_lines(v, &lines) == -1)
				return logs_usage("--lines: '%s' is not a "
				    "number in 0..100000000", v);
		} else if (argv[a][0] == '-' || name != NULL)
			return logs_usage("unexpected argument '%s'", argv[a]);
		else
			name = argv[a];
	}
	if (name == NULL)
		return logs_usage("%s", "name required");
	vx_err_clear(&err);
	if (name_check(name, &err) == -1) {
		cli_err("%s", err.msg);
		return VX_EXIT_USAGE;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.log", paths->logs_dir,
	    name) >= sizeof(path)) {
		cli_err("%s: log path too long", name);
		return VX_EXIT_FAIL;
	}
	f.path = path;
	found = logs_tail(path, (size_t)lines, f.filter, follow, &f.fd, &end,
	    &f.dev, &f.ino);
	if (found == -1) {
		if (errno == EPIPE)
			return 0;
		cli_err("%s: %s: %s", name, path, strerror(errno));
		return errno == EACCES || errno == EPERM ? VX_EXIT_PERM :
		    VX_EXIT_FAIL;
	}
	f.off = end;
	if (found == 0) {
		/* No file: a tenant that never wrote, or no tenant at all. */
		known = logs_known(paths, name);
		if (known == 0) {
			cli_err("%s: no such tenant", name);
			return VX_EXIT_NOTENANT;
		}
		if (known == -1) {
			cli_err("%s: no log file (%s) and no master to ask", name,
			    path);
			return VX_EXIT_NOTENANT;
		}
	}
	a = follow ? logs_follow(&f) : 0;
	if (f.fd != -1)
		close(f.fd);
	free(f.part);
	return a;
}
