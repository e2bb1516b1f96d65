/* outfile.c - checked, atomic output files (see outfile.h). */
#define _POSIX_C_SOURCE 200809L
#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

/* Splits path into its directory (".", "/" or the part before the last '/')
 * and its last component. -1 when the name is empty or ends in '/'. */
static int split_path(const char *path, char *dir, size_t dn, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!**base)
        return -1;
    if (!slash)
        snprintf(dir, dn, ".");
    else if (slash == path)
        snprintf(dir, dn, "/");
    else
        snprintf(dir, dn, "%.*s", (int)(slash - path), path);
    return 0;
}

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symbolic link" : S_ISFIFO(m) ? "a FIFO"
         : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket"
         : "not a regular file";
}

int out_check(const char *path, const char *const *inputs, int n_inputs, bnn_error *err)
{
    char dir[4096];
    const char *base;
    if (!path || !*path) {
        bnn_set_err(err, "output file name is empty");
        return -1;
    }
    if (strlen(path) >= sizeof dir - 64) {
        bnn_set_err(err, "%.60s...: output path too long", path);
        return -1;
    }
    if (split_path(path, dir, sizeof dir, &base)) {
        bnn_set_err(err, "%s: names a directory, not an output file", path);
        return -1;
    }
    struct stat ds, st;
    if (stat(dir, &ds)) {
        bnn_set_err(err, "%s: cannot write into %s: %s", path, dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(ds.st_mode)) {
        bnn_set_err(err, "%s: cannot write into %s: not a directory", path, dir);
        return -1;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            bnn_set_err(err, "%s: exists and is %s; refusing to replace it (name a regular file)", path,
                        kind_of(st.st_mode));
            return -1;
        }
        for (int i = 0; i < n_inputs; i++) {
            struct stat is;
            if (inputs[i] && stat(inputs[i], &is) == 0 && is.st_dev == st.st_dev && is.st_ino == st.st_ino) {
                bnn_set_err(err, "%s: is the input file %s; refusing to overwrite an input", path, inputs[i]);
                return -1;
            }
        }
    } else if (errno != ENOENT) {
        bnn_set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int out_distinct(const char *const *paths, const char *const *opts, int n, bnn_error *err)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            char di[4096], dj[4096];
            const char *bi, *bj;
            struct stat si, sj;
            if (!paths[i] || !paths[j] || split_path(paths[i], di, sizeof di, &bi) ||
                split_path(paths[j], dj, sizeof dj, &bj) || strcmp(bi, bj))
                continue;
            if (!strcmp(di, dj) ||
                (stat(di, &si) == 0 && stat(dj, &sj) == 0 && si.st_dev == sj.st_dev && si.st_ino == sj.st_ino)) {
                bnn_set_err(err, "option %s: %s is also the output of %s; give each output its own file", opts[j],
                            paths[j], opts[i]);
                return -1;
            }
        }
    return 0;
}

int out_open(out_file *o, const char *path, const char *const *inputs, int n_inputs, bnn_error *err)
{
    o->f = NULL;
    o->tmp[0] = 0;
    if (out_check(path, inputs, n_inputs, err))
        return -1;
    char dir[4096];
    const char *base;
    split_path(path, dir, sizeof dir, &base);
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%.4032s/.%.200s.XXXXXX", dir, base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        bnn_set_err(err, "%s: cannot create: %s", path, strerror(errno));
        o->tmp[0] = 0;
        return -1;
    }
    /* mkstemp makes 0600; give the file the mode a plain create would */
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t um = umask(022);
        umask(um);
        mode = 0666 & ~um;
    }
    if (fchmod(fd, mode) || !(o->f = fdopen(fd, "w"))) {
        bnn_set_err(err, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        remove(o->tmp);
        o->tmp[0] = 0;
        return -1;
    }
    return 0;
}

int out_commit(out_file *o, bnn_error *err)
{
    if (!o->f) {
        bnn_set_err(err, "%s: not open", o->path);
        return -1;
    }
    int e = 0;
    if (fflush(o->f) || ferror(o->f))
        e = errno ? errno : EIO;
    if (!e && fsync(fileno(o->f)))
        e = errno;
    if (fclose(o->f) && !e)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (!e && rename(o->tmp, o->path))
        e = errno;
    if (e) {
        remove(o->tmp);
        o->tmp[0] = 0;
        bnn_set_err(err, "%s: cannot write: %s (the file was not changed)", o->path, strerror(e));
        return -1;
    }
    o->tmp[0] = 0;
    return 0;
}

void out_abort(out_file *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp[0]) {
        remove(o->tmp);
        o->tmp[0] = 0;
    }
}

int out_write_all(const char *path, const void *buf, size_t n, const char *const *inputs, int n_inputs,
                  bnn_error *err)
{
    out_file o;
    if (out_open(&o, path, inputs, n_inputs, err))
        return -1;
    if (n && fwrite(buf, 1, n, o.f) != n) {
        int e = errno;
        out_abort(&o);
        bnn_set_err(err, "%s: cannot write: %s (the file was not changed)", path, strerror(e ? e : EIO));
        return -1;
    }
    return out_commit(&o, err);
}
