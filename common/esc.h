/* esc.h: untrusted bytes made safe for a log line, a table or a terminal. */
#ifndef VX_ESC_H
#define VX_ESC_H

#include <stddef.h>

/* Flags of esc_bytes(); 0 is the text style of logs and tables. */
#define ESC_ASCII	0x01	/* bytes >= 0x80 as \xNN too: no UTF-8 text */
#define ESC_HEX		0x02	/* \n, \t and \\ as \x0a, \x09 and \x5c */
#define ESC_SHORT	0x04	/* at most ESC_SHORT_MAX bytes; "..." if cut */
/* An untrusted string echoed in an error message (names, keys). */
#define ESC_ECHO	(ESC_ASCII | ESC_HEX | ESC_SHORT)

#define ESC_SHORT_MAX	64	/* bytes of src an ESC_SHORT copy shows */
#define ESC_SHORT_LEN	(ESC_SHORT_MAX * 4 + 4)	/* room it never outgrows */

/*
 * Copy the len bytes at src (NUL bytes included) into dst, size dstsz,
 * always NUL-terminated: C0 controls, DEL, C1 controls (U+0080-U+009F),
 * invalid UTF-8 and, with ESC_ASCII, every byte >= 0x80 become \xNN;
 * newline, tab and backslash become \n, \t and \\, or \xNN with ESC_HEX.
 * An escape is never cut in two: what does not fit is left out, and an
 * ESC_SHORT copy that left bytes out ends with "...".  Returns dst.
 */
char	*esc_bytes(char *dst, size_t dstsz, const char *src, size_t len,
	    int flags);

#endif
