/* sig.h: signal names and numbers, for specs and for last_error text. */
#ifndef VX_SIG_H
#define VX_SIG_H

/* "SIGTERM" or "TERM" (any case) -> 15; -1 if unknown. */
int		 sig_from_name(const char *);
/* 15 -> "SIGTERM"; "SIG?" (static) for an unknown number. */
const char	*sig_name(int);

#endif
