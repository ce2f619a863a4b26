/*
 * fuzz_notify.c: the worker protocol grammar.  The input is fed to the line
 * splitter in pieces whose sizes come from the input itself, every line is
 * parsed, and the parse must be consistent with the splitter's limits.
 * Inputs up to 16 KiB, so that lines over NOTIFY_LINE_MAX are skipped and
 * the splitter resynchronises on the next newline.
 *
 * fuzz-sources: common/notify.c
 * fuzz-flags: -max_len=16384
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
line_cb(void *arg, const char *line, size_t len)
{
	struct notify_msg m;
	size_t *count = arg;

	if (len >= NOTIFY_LINE_MAX || memchr(line, '\n', len) != NULL)
		abort();	/* the splitter broke its promise */
	if (notify_parse(line, len, &m) == 0) {
		if (m.value < line || m.value + m.vlen > line + len)
			abort();
		if (m.key == NK_ERRNO && (m.num < 0 || m.num > 4095))
			abort();
	}
	(*count)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_split sp;
	size_t count = 0, off = 0, chunk;

	memset(&sp, 0, sizeof(sp));
	while (off < size) {
		/* chunk sizes 1..256 drawn from the data itself */
		chunk = 1 + data[off] % 256;
		if (chunk > size - off)
			chunk = size - off;
		notify_split_feed(&sp, (const char *)data + off, chunk, line_cb,
		    &count);
		off += chunk;
	}
	notify_split_reset(&sp);
	return 0;
}
