/* webfiles.c - resolving and opening the static files of the web UI
 * (webfiles.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "webfiles.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

bool web_root_init(struct web_root *w, const char *dir)
{
	memset(w, 0, sizeof *w);
	if (!dir || !*dir)
		return false;
	char buf[PATH_MAX];
	if (!realpath(dir, buf))
		return false;
	struct stat st;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	memcpy(w->path, buf, n + 1);
	w->len = n;
	return true;
}

bool web_path_ok(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	size_t n = strlen(path);
	if (n > 1024)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)path[i];
		if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == '%')
			return false;
	}
	/* the segments between slashes */
	const char *p = path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 && slash) /* "//" */
			return false;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

bool web_raw_target_ok(const char *t)
{
	if (!t)
		return false;
	for (; *t && *t != '?' && *t != '#'; t++) {
		if (*t != '%')
			continue;
		char a = t[1], b = a ? t[2] : '\0';
		if (!a || !b)
			continue;
		if ((a == '0' && b == '0') || (a == '2' && (b == 'f' || b == 'F')) ||
		    (a == '5' && (b == 'c' || b == 'C')))
			return false;
	}
	return true;
}

static const struct {
	const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"xml", "application/xml; charset=utf-8"},
};

const char *web_content_type(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Is the q parameter of one coding (the text after its ';') zero? */
static bool q_zero(const char *p, const char *end)
{
	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			bool nonzero = false;
			for (; p < end && *p != ';'; p++)
				if (*p >= '1' && *p <= '9')
					nonzero = true;
			return !nonzero;
		}
		while (p < end && *p != ';')
			p++;
	}
	return false;
}

bool web_accepts_gzip(const char *ae)
{
	if (!ae)
		return false;
	bool star = false, gzip = false, gzip_refused = false;
	const char *p = ae;
	while (*p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *tok = p;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t tl = (size_t)(p - tok);
		bool zero = q_zero(p, end);
		if ((tl == 4 && strncasecmp(tok, "gzip", 4) == 0) || (tl == 6 && strncasecmp(tok, "x-gzip", 6) == 0)) {
			if (zero)
				gzip_refused = true;
			else
				gzip = true;
		} else if (tl == 1 && tok[0] == '*' && !zero) {
			star = true;
		}
		p = *end ? end + 1 : end;
	}
	return !gzip_refused && (gzip || star);
}

/* Opens full (a path under the root) if, resolved, it is a regular file
 * inside the root. -1 otherwise. */
static int open_inside(const struct web_root *w, const char *full, uint64_t *size)
{
	char real[PATH_MAX];
	if (!realpath(full, real))
		return -1;
	if (strncmp(real, w->path, w->len) != 0 || real[w->len] != '/')
		return -1;
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

bool web_open(const struct web_root *w, const char *path, bool gzip_ok, struct web_file *out)
{
	memset(out, 0, sizeof *out);
	out->fd = -1;
	if (!w || !w->len || !web_path_ok(path))
		return false;
	char full[PATH_MAX];
	size_t pl = strlen(path);
	const char *index = pl && path[pl - 1] == '/' ? "index.html" : "";
	int n = snprintf(full, sizeof full - 3, "%s%s%s", w->path, path, index);
	if (n < 0 || (size_t)n >= sizeof full - 3)
		return false;
	out->type = web_content_type(full);
	out->html = strncmp(out->type, "text/html", 9) == 0;
	if (gzip_ok) {
		memcpy(full + n, ".gz", 4);
		out->fd = open_inside(w, full, &out->size);
		full[n] = '\0';
		if (out->fd >= 0) {
			out->gzip = true;
			/* only alongside the file itself: a lone FILE.gz names no FILE */
			uint64_t plain_size;
			int plain = open_inside(w, full, &plain_size);
			if (plain >= 0) {
				close(plain);
				return true;
			}
			close(out->fd);
			out->fd = -1;
			out->gzip = false;
			return false;
		}
	}
	out->fd = open_inside(w, full, &out->size);
	return out->fd >= 0;
}
