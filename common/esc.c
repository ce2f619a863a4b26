/*
 * esc.c: the one escaping of untrusted bytes (worker output, tenant names,
 * configuration keys, HTTP targets), so that none can break a log line or
 * a table, or steer a terminal.
 */
#include <string.h>

#include "esc.h"

/* Length of the valid, shortest-form UTF-8 sequence at s, or 0. */
static size_t
esc_utf8_len(const unsigned char *s, size_t len)
{
	unsigned int cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	/* C1 controls (U+0080-U+009F): U+009B is CSI on UTF-8 terminals. */
	if (n == 2 && cp < 0xa0)
		return 0;
	return n;
}

/* The escaped form of src[0] into out (at most 4 bytes); its length. */
static size_t
esc_one(const unsigned char *s, size_t len, int flags, char *out,
    size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	size_t n;

	*used = 1;
	if (!(flags & ESC_HEX) && (c == '\\' || c == '\n' || c == '\t')) {
		out[0] = '\\';
		out[1] = (char)(c == '\\' ? '\\' : c == '\n' ? 'n' : 't');
		return 2;
	}
	if (c >= 0x20 && c < 0x7f && c != '\\') {
		out[0] = (char)c;
		return 1;
	}
	if (c >= 0x80 && !(flags & ESC_ASCII) &&
	    (n = esc_utf8_len(s, len)) > 0) {
		memcpy(out, s, n);
		*used = n;
		return n;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

/* Escape untrusted bytes for a log line, a table or an error message. */
char *
esc_bytes(char *dst, size_t dstsz, const char *src, size_t len, int flags)
{
	const unsigned char *u = (const unsigned char *)src;
	size_t i = 0, o = 0, room, n, used;
	char item[4];
	int cut = 0;

	if (dstsz == 0)
		return dst;
	room = dstsz - 1;			/* the NUL */
	if (flags & ESC_SHORT) {
		if (len > ESC_SHORT_MAX) {
			len = ESC_SHORT_MAX;
			cut = 1;
		}
		room = room > 3 ? room - 3 : 0;	/* "..." */
	}
	while (i < len) {
		n = esc_one(u + i, len - i, flags, item, &used);
		if (o + n > room) {
			cut = 1;
			break;
		}
		memcpy(dst + o, item, n);
		o += n;
		i += used;
	}
	if (cut && (flags & ESC_SHORT) && o + 3 < dstsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}
