/*
 * fuzz_logcap.c: a worker's stdout and stderr, the master's most plentiful
 * untrusted input.  The input is fed to both streams in pieces whose sizes
 * and streams come from the input itself, with rotation on or off; then the
 * log file must hold only whole records ("TIMESTAMP out|err text") with no
 * control byte but tab, and the stderr tail quoted in last_error must fit
 * its buffer and be escaped.
 *
 * fuzz-sources: supervisor/logcap.c common/log.c common/clock.c common/esc.c
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "logcap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define HDR_LEN	24	/* "2026-01-11T06:23:00Z out " */

static char	dir[64];
static char	path[128];

static void
cleanup(void)
{
	char p[160];
	int i;

	for (i = 0; i <= 3; i++) {
		snprintf(p, sizeof(p), i ? "%s.%d" : "%s", path, i);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

/* Every line of the current log file is one well-formed record. */
static void
check_file(void)
{
	static char buf[1 << 20];
	ssize_t n;
	size_t i, start;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;		/* nothing written yet */
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		abort();
	for (i = 0, start = 0; i < (size_t)n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 && c != '\t' && c != '\n')
			abort();	/* logcap_clean missed a byte */
		if (c != '\n')
			continue;
		if (i - start < HDR_LEN ||
		    buf[start + 19] != 'Z' || buf[start + 20] != ' ' ||
		    (memcmp(buf + start + 21, "out ", 4) != 0 &&
		    memcmp(buf + start + 21, "err ", 4) != 0) ||
		    i - start > HDR_LEN + 1 + LOGCAP_LINE_MAX)
			abort();
		start = i + 1;
	}
	if (n > 0 && (size_t)n < sizeof(buf) && buf[n - 1] != '\n')
		abort();	/* a record cut in the middle */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logcap lc;
	char tail[520];
	size_t off, chunk, len, i;
	int s;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/fuzz-logcap.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/t.log", dir);
		if (atexit(cleanup) != 0)
			abort();
	}
	if (size < 3)
		return 0;
	logcap_init(&lc, dir, "t");
	/* Rotation off, or at a few KiB so that it happens. */
	logcap_configure(&lc, data[0] & 1 ? 0 : 1024 + data[0] * 64,
	    data[1] % 3);
	len = 1 + data[2] % 255;	/* the tail's buffer */
	for (off = 3; off < size; off += chunk) {
		/* Stream and size 1..128 of each piece from the data. */
		s = data[off] & 0x80 ? LOGCAP_ERR : LOGCAP_OUT;
		chunk = 1 + (data[off] & 0x7f);
		if (chunk > size - off)
			chunk = size - off;
		logcap_feed(&lc, s, (const char *)data + off, chunk);
	}
	for (i = 1; i <= 3; i++) {
		logcap_tail(&lc, (int)i, tail, len);
		if (strlen(tail) >= len)
			abort();
		for (off = 0; tail[off] != '\0'; off++)
			if ((unsigned char)tail[off] < 0x20 ||
			    tail[off] == 0x7f)
				abort();	/* last_error is escaped */
	}
	logcap_flush(&lc);
	check_file();
	logcap_free(&lc);
	cleanup();
	(void)mkdir(dir, 0700);
	return 0;
}
