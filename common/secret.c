/* secret.c: worker.secret, the key the dashboard signs its requests with. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "fd.h"
#include "secret.h"

static const char secret_digits[] = "0123456789abcdef";

static void
secret_hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[i * 2] = secret_digits[b[i] >> 4];
		out[i * 2 + 1] = secret_digits[b[i] & 15];
	}
	out[n * 2] = '\0';
}

/* Every reader (vectis-sync, the master's HMAC check) sees the same key. */
int
secret_load(const char *path, char hex[SECRET_HEX], struct vx_err *err)
{
	char buf[SECRET_HEX + 2];
	struct stat st;
	size_t len = 0, i;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		int e = errno;

		vx_err_set(err, VX_EXIT_FAIL, "unable to open %s: %s", path,
		    strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* Like ssh with its keys: a secret others can read is no secret. */
	if ((st.st_mode & 077) != 0) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: mode %04o is too open, "
		    "want 0600 (chmod 600 %s)", path,
		    (unsigned int)(st.st_mode & 07777), path);
		close(fd);
		errno = EPERM;
		return -1;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			vx_err_set(err, VX_EXIT_FAIL, "unable to read %s: %s",
			    path, strerror(e));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == SECRET_HEX && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++) {
		if (strchr(secret_digits, buf[i]) == NULL || buf[i] == '\0')
			break;
	}
	if (len != SECRET_HEX - 1 || i != len) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: expected %d lower-case hex "
		    "digits", path, SECRET_HEX - 1);
		explicit_bzero(buf, sizeof(buf));
		errno = EINVAL;
		return -1;
	}
	memcpy(hex, buf, len);
	hex[len] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * Write a new secret to a temporary file and link(2) it into place: a
 * crash never leaves half a secret, and of two concurrent creators the
 * second finds EEXIST and reads the first one's secret.  Returns 0 when
 * this call created it, 1 when another process did, -1 on error.
 */
static int
secret_create(const char *path, struct vx_err *err)
{
	unsigned char raw[SECRET_BYTES];
	char hex[SECRET_HEX], tmp[PATH_MAX];
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1, e;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to get random "
			    "bytes: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	secret_hex(raw, sizeof(raw), hex);
	explicit_bzero(raw, sizeof(raw));
	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: path too long", path);
		goto out;
	}
	/* mkostemp opens O_CREAT|O_EXCL with mode 0600. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) == -1 ||
	    fd_write_all(fd, hex, SECRET_HEX - 1) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		vx_err_set(err, VX_EXIT_FAIL, "unable to write %s: %s", tmp,
		    strerror(e));
		goto out;
	}
	if (close(fd) == -1) {
		e = errno;
		unlink(tmp);
		vx_err_set(err, VX_EXIT_FAIL, "unable to write %s: %s", tmp,
		    strerror(e));
		goto out;
	}
	if (link(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		if (e == EEXIST) {
			rc = 1;		/* another creator was first */
			goto out;
		}
		vx_err_set(err, VX_EXIT_FAIL, "unable to create %s: %s", path,
		    strerror(e));
		goto out;
	}
	unlink(tmp);
	/* The new name must survive a power loss the dashboard does not see. */
	if (fd_sync_dir(path) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to sync the directory of "
		    "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(hex, sizeof(hex));
	return rc;
}

/* vectis-sync registers the secret it finds, making one the first time. */
int
secret_load_or_create(const char *path, char hex[SECRET_HEX], int *created,
    struct vx_err *err)
{
	*created = 0;
	if (secret_load(path, hex, err) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	switch (secret_create(path, err)) {
	case -1:
		return -1;
	case 0:
		*created = 1;
		break;
	}
	return secret_load(path, hex, err);
}

/* worker.conf records a digest of the secret, never the secret itself. */
int
secret_sha256_hex(const void *data, size_t len, char out[SECRET_SHA_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	secret_hex(md, mdlen, out);
	return 0;
}
