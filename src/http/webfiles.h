/* webfiles.h - the static files of `doudi serve --web DIR` (the built web
 * UI): which request paths may name a file, the file's Content-Type, whether
 * the client takes gzip, and opening a file inside DIR (never outside it:
 * no "." or ".." segments, no encoded slash or NUL, no symlink leading out).
 * No libmicrohttpd here: server.c makes the response from the open file. */
#ifndef DD_HTTP_WEBFILES_H
#define DD_HTTP_WEBFILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct web_root {
	char path[PATH_MAX]; /* the directory, resolved (realpath), no trailing slash */
	size_t len;
};

/* Resolves dir; false when it is not an existing directory. */
bool web_root_init(struct web_root *w, const char *dir);

/* True for a decoded request path that may name a file or a page of the
 * single-page application: starts with '/', no empty (except a final
 * slash), "." or ".." segment, no backslash, '%', control byte or DEL, at
 * most 1024 bytes. */
bool web_path_ok(const char *path);

/* True for the raw request target (before decoding) whose path part holds
 * no encoded slash, backslash or NUL (%2f, %5c, %00, any case). */
bool web_raw_target_ok(const char *target);

/* The Content-Type of a file name by its extension (application/octet-stream
 * for an unknown one); text types carry charset=utf-8. */
const char *web_content_type(const char *name);

/* True when an Accept-Encoding header value accepts gzip (a "gzip" or "*"
 * coding without q=0). NULL: false. */
bool web_accepts_gzip(const char *accept_encoding);

struct web_file {
	int fd; /* open, read-only; the caller closes it (or hands it over) */
	uint64_t size;
	const char *type; /* Content-Type of the file asked for (not of the .gz) */
	bool gzip;	  /* fd is FILE.gz: send with Content-Encoding: gzip */
	bool html;	  /* text/html */
};

/* Opens the regular file at path (web_path_ok; a final slash means its
 * index.html) under w. With gzip_ok, FILE.gz is opened instead when it
 * exists. False when there is no such regular file inside the root (the
 * resolved path, symlinks followed, must stay inside it). */
bool web_open(const struct web_root *w, const char *path, bool gzip_ok, struct web_file *out);

#endif
