/* kvconf.c: KEY=VALUE config files (supervisor.conf, worker.conf). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "esc.h"
#include "kvconf.h"

#define KV_MAX_SIZE	(1024 * 1024)	/* bytes of one config file */
#define KV_MAX_KEYS	1024

static int
kv_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A key as the shell and our readers expect: [A-Z_][A-Z0-9_]*. */
static int
kv_key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || (k[0] >= '0' && k[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		if (!((k[i] >= 'A' && k[i] <= 'Z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	}
	return 1;
}

/* A byte that needs no quoting in a saved value. */
static int
kv_safe(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("_./:@+,-", c) != NULL;
}

/* The entry of key in c, or NULL. */
static struct kv *
kv_find(const struct kvconf *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	}
	return NULL;
}

/*
 * Room for one more entry.  The array grows in powers of two, decided from
 * n alone since struct kvconf keeps no capacity.
 */
static int
kv_grow(struct kvconf *c)
{
	struct kv *v;
	size_t want;

	if (c->n != 0 && (c->n < 4 || (c->n & (c->n - 1)) != 0))
		return 0;
	want = c->n == 0 ? 4 : c->n * 2;
	if ((v = realloc(c->v, want * sizeof(*v))) == NULL)
		return -1;
	c->v = v;
	return 0;
}

/* Store key and value, taking ownership of both; -1 on ENOMEM. */
static int
kv_put(struct kvconf *c, char *key, char *value, int line)
{
	struct kv *e;

	if ((e = kv_find(c, key)) != NULL) {
		free(key);
		free(e->value);
		e->value = value;
		e->line = line;
		return 0;
	}
	if (kv_grow(c) == -1) {
		free(key);
		free(value);
		return -1;
	}
	c->v[c->n].key = key;
	c->v[c->n].value = value;
	c->v[c->n].line = line;
	c->n++;
	return 0;
}

/* Parse one line (without its newline) into c. */
static int
kv_line(const char *p, size_t n, const char *file, int line,
    const char *const *allowed, struct kvconf *c, struct vx_err *err)
{
	char echo[ESC_SHORT_LEN], *key = NULL, *value = NULL;
	size_t i = 0, k0, klen, vlen = 0;
	size_t a;

	if (memchr(p, '\0', n) != NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d: NUL byte", file, line);
		return -1;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (i < n && kv_is_space(p[i]))
		i++;
	if (i == n || p[i] == '#')
		return 0;
	if (n - i > 6 && memcmp(p + i, "export", 6) == 0 &&
	    kv_is_space(p[i + 6])) {
		i += 6;
		while (i < n && kv_is_space(p[i]))
			i++;
	}
	k0 = i;
	while (i < n && p[i] != '=' && !kv_is_space(p[i]))
		i++;
	klen = i - k0;
	esc_bytes(echo, sizeof(echo), p + k0, klen, ESC_ECHO);
	if (i == n || p[i] != '=') {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d: expected KEY=VALUE",
		    file, line);
		return -1;
	}
	if (!kv_key_ok(p + k0, klen)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d: invalid key '%s': "
		    "must match [A-Z_][A-Z0-9_]*", file, line, echo);
		return -1;
	}
	if (allowed != NULL) {
		for (a = 0; allowed[a] != NULL; a++) {
			if (strlen(allowed[a]) == klen &&
			    memcmp(allowed[a], p + k0, klen) == 0)
				break;
		}
		if (allowed[a] == NULL) {
			vx_err_set(err, VX_EXIT_FAIL, "%s:%d: unknown key '%s'",
			    file, line, echo);
			return -1;
		}
	}
	i++;

	/* The value never grows: each byte out consumes one or more in. */
	if ((key = strndup(p + k0, klen)) == NULL ||
	    (value = malloc(n - i + 1)) == NULL)
		goto nomem;
	while (i < n && !kv_is_space(p[i])) {
		if (p[i] == '\'') {
			for (i++; i < n && p[i] != '\''; i++)
				value[vlen++] = p[i];
			if (i == n)
				goto unterminated;
			i++;
		} else if (p[i] == '"') {
			for (i++; i < n && p[i] != '"'; i++) {
				if (p[i] == '\\' && i + 1 < n &&
				    (p[i + 1] == '"' || p[i + 1] == '\\' ||
				    p[i + 1] == '$' || p[i + 1] == '`'))
					i++;
				value[vlen++] = p[i];
			}
			if (i == n)
				goto unterminated;
			i++;
		} else if (p[i] == '\\') {
			if (i + 1 == n) {
				vx_err_set(err, VX_EXIT_FAIL,
				    "%s:%d: backslash at end of line", file,
				    line);
				goto fail;
			}
			value[vlen++] = p[i + 1];
			i += 2;
		} else
			value[vlen++] = p[i++];
	}
	value[vlen] = '\0';
	while (i < n && kv_is_space(p[i]))
		i++;
	if (i < n && p[i] != '#') {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d: unexpected text after "
		    "the value of %s (quote values that hold spaces)", file,
		    line, key);
		goto fail;
	}
	if (c->n >= KV_MAX_KEYS && kv_find(c, key) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d: more than %d keys", file,
		    line, KV_MAX_KEYS);
		goto fail;
	}
	if (kv_put(c, key, value, line) == -1) {
		key = value = NULL;
		goto nomem;
	}
	return 0;
unterminated:
	vx_err_set(err, VX_EXIT_FAIL, "%s:%d: unterminated quote", file, line);
	goto fail;
nomem:
	vx_err_set(err, VX_EXIT_FAIL, "%s:%d: %s", file, line,
	    strerror(ENOMEM));
fail:
	free(key);
	free(value);
	return -1;
}

/* Config files are shell-like so that operators and scripts can share them. */
int
kvconf_parse(const char *text, size_t len, const char *file,
    const char *const *allowed, struct kvconf *c, struct vx_err *err)
{
	size_t pos = 0, end;
	int line = 0;

	c->v = NULL;
	c->n = 0;
	if (file == NULL)
		file = "config";
	if (len > KV_MAX_SIZE) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: larger than %d bytes", file,
		    KV_MAX_SIZE);
		return -1;
	}
	while (pos < len) {
		line++;
		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		if (kv_line(text + pos, end - pos, file, line, allowed, c,
		    err) == -1) {
			kvconf_free(c);
			return -1;
		}
		pos = end + 1;
	}
	return 0;
}

/* A node without a config file yet is valid: it has not registered. */
int
kvconf_load(const char *path, const char *const *allowed, struct kvconf *c,
    struct vx_err *err)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	c->v = NULL;
	c->n = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			return 0;
		vx_err_set(err, VX_EXIT_FAIL, "unable to open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to stat %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KV_MAX_SIZE) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: %s", path,
		    S_ISREG(st.st_mode) ? "larger than 1 MiB" :
		    "not a regular file");
		close(fd);
		return -1;
	}
	if ((buf = malloc(KV_MAX_SIZE + 1)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to read %s: %s", path,
		    strerror(ENOMEM));
		close(fd);
		return -1;
	}
	/* Read one byte more than allowed to notice a file that grew. */
	while (len < KV_MAX_SIZE + 1) {
		r = read(fd, buf + len, KV_MAX_SIZE + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to read %s: %s",
			    path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > KV_MAX_SIZE) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: larger than 1 MiB", path);
		free(buf);
		return -1;
	}
	rc = kvconf_parse(buf, len, path, allowed, c, err);
	free(buf);
	return rc;
}

/* Readers ask for one key at a time; configs are small. */
const char *
kvconf_get(const struct kvconf *c, const char *key)
{
	const struct kv *e;

	return (e = kv_find(c, key)) != NULL ? e->value : NULL;
}

/*
 * Writers (vectis-sync) change a few keys and save; -1 with EINVAL for a
 * key or value that could not be read back, ENOMEM otherwise.
 */
int
kvconf_set(struct kvconf *c, const char *key, const char *value)
{
	struct kv *e;
	char *k, *v;

	if (key == NULL || !kv_key_ok(key, strlen(key)) ||
	    (value != NULL && strchr(value, '\n') != NULL)) {
		errno = EINVAL;
		return -1;
	}
	if (value == NULL) {
		if ((e = kv_find(c, key)) == NULL)
			return 0;
		free(e->key);
		free(e->value);
		memmove(e, e + 1, (c->n - (size_t)(e - c->v) - 1) *
		    sizeof(*c->v));
		c->n--;
		return 0;
	}
	if ((k = strdup(key)) == NULL)
		return -1;
	if ((v = strdup(value)) == NULL) {
		free(k);
		return -1;
	}
	if (kv_put(c, k, v, 0) == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * The bytes of "KEY=VALUE\n" lines, values quoted as kv_line() reads them;
 * public so that the fuzzer can check that parsing them gives c back.
 */
char *
kvconf_format(const struct kvconf *c, size_t *lenp, struct vx_err *err)
{
	const char *s;
	char *buf, *o;
	size_t i, len = 0, q;
	int quote;

	for (i = 0; i < c->n; i++) {
		if (!kv_key_ok(c->v[i].key, strlen(c->v[i].key)) ||
		    strchr(c->v[i].value, '\n') != NULL) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: cannot be saved: "
			    "bad key or newline in value", c->v[i].key);
			return NULL;
		}
		/* Worst case: every byte a quote, 4 bytes each, plus '' . */
		len += strlen(c->v[i].key) + 1 + strlen(c->v[i].value) * 4 +
		    3;
	}
	if ((buf = malloc(len + 1)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return NULL;
	}
	o = buf;
	for (i = 0; i < c->n; i++) {
		q = strlen(c->v[i].key);
		memcpy(o, c->v[i].key, q);
		o += q;
		*o++ = '=';
		s = c->v[i].value;
		quote = *s == '\0';
		for (q = 0; s[q] != '\0'; q++) {
			if (!kv_safe(s[q]))
				quote = 1;
		}
		if (quote)
			*o++ = '\'';
		for (; *s != '\0'; s++) {
			if (*s == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else
				*o++ = *s;
		}
		if (quote)
			*o++ = '\'';
		*o++ = '\n';
	}
	*o = '\0';
	*lenp = (size_t)(o - buf);
	return buf;
}

/* fsync the directory that holds path, so a rename survives a crash. */
static int
kv_sync_dir(const char *path)
{
	char *dir, *slash;
	int fd, rc;

	if ((dir = strdup(path)) == NULL)
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Config is replaced whole so a reader never sees half of it. */
int
kvconf_save(const struct kvconf *c, const char *path, unsigned int mode,
    struct vx_err *err)
{
	char *buf, *tmp;
	size_t len, off = 0, plen;
	ssize_t w;
	int fd, saved;

	if ((buf = kvconf_format(c, &len, err)) == NULL)
		return -1;
	plen = strlen(path);
	if ((tmp = malloc(plen + sizeof(".new"))) == NULL) {
		free(buf);
		vx_err_set(err, VX_EXIT_FAIL, "unable to write %s: %s", path,
		    strerror(ENOMEM));
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".new", sizeof(".new"));

	/* A .new left by a crash is stale: nobody else writes this file. */
	if (unlink(tmp) == -1 && errno != ENOENT)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    (mode_t)(mode & 07777));
	if (fd == -1)
		goto fail;
	if (fchmod(fd, (mode_t)(mode & 07777)) == -1)
		goto fail_close;
	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			goto fail_close;
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail_close;
	if (close(fd) == -1)
		goto fail_unlink;
	if (rename(tmp, path) == -1)
		goto fail_unlink;
	/* The file is in place; a failed directory sync is still reported. */
	if (kv_sync_dir(path) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to sync the directory "
		    "of %s: %s", path, strerror(errno));
		free(buf);
		free(tmp);
		return -1;
	}
	free(buf);
	free(tmp);
	return 0;

fail_close:
	saved = errno;
	close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	vx_err_set(err, VX_EXIT_FAIL, "unable to write %s: %s", path,
	    strerror(errno));
	free(buf);
	free(tmp);
	return -1;
}

/* Release every key and value; the config is empty afterwards. */
void
kvconf_free(struct kvconf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
