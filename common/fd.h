/* fd.h: small file descriptor helpers. */
#ifndef VX_FD_H
#define VX_FD_H

#include <stddef.h>
#include <sys/types.h>

int	fd_set_nonblock(int);
int	fd_set_cloexec(int);
/* Write all of buf, retrying on EINTR and short writes; -1 on error. */
int	fd_write_all(int, const void *, size_t);
/* Read a whole regular file up to max bytes into a NUL-terminated buffer. */
int	fd_read_file(const char *path, size_t max, char **buf, size_t *len);
/* mkdir -p with mode for every created directory; 0 or -1 with errno. */
int	fd_mkdirs(const char *path, mode_t mode);
/* fsync the directory holding path (after link/rename); 0 or -1. */
int	fd_sync_dir(const char *path);

#endif
