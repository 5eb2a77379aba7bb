/*
 * pty.c: the emulator's pseudo-terminal (pty.h). Linux (openpty from libutil).
 */
#define _GNU_SOURCE
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int sitl_pty_check_link(const char *link, char *why, size_t why_size) {
    struct stat st;
    if (!*link) {
        snprintf(why, why_size, "--link: the path is empty");
        return -1;
    }
    if (lstat(link, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            snprintf(why, why_size,
                     "--link %s: that path exists and is not a symlink (%s); the emulator only replaces a symlink. "
                     "Remove it or choose another path",
                     link, S_ISDIR(st.st_mode) ? "a directory" : S_ISCHR(st.st_mode) ? "a device" : "a file");
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(why, why_size, "--link %s: %s", link, strerror(errno));
        return -1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", link);
    char *slash = strrchr(dir, '/');
    if (slash == dir) dir[1] = 0;
    else if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, why_size, "--link %s: the directory %s does not exist", link, dir);
        return -1;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(why, why_size, "--link %s: the directory %s is not writable", link, dir);
        return -1;
    }
    return 0;
}

static int point_link(const char *link, const char *target, char *why, size_t why_size) {
    if (sitl_pty_check_link(link, why, why_size)) return -1;
    /* A new symlink under a temporary name, renamed over the old one: a host never sees the path missing
       while the emulator re-points it. */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", link, (long) getpid());
    unlink(tmp);
    if (symlink(target, tmp) != 0) {
        snprintf(why, why_size, "--link %s: cannot create a symlink: %s", link, strerror(errno));
        return -1;
    }
    if (rename(tmp, link) != 0) {
        snprintf(why, why_size, "--link %s: cannot replace the symlink: %s", link, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sitl_pty_open(sitl_pty *p, const char *link, char *why, size_t why_size) {
    int master = -1, slave = -1;
    p->master = -1;
    p->link = link;
    p->host_open = 0;
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
        snprintf(why, why_size, "openpty failed: %s", strerror(errno));
        return -1;
    }
    if (ptsname_r(master, p->slave, sizeof p->slave) != 0) {
        snprintf(why, why_size, "ptsname failed: %s", strerror(errno));
        close(master);
        close(slave);
        return -1;
    }
    struct termios t;
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    int fl = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, fl | O_NONBLOCK);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    /* Not held open: the master then shows POLLHUP until a host opens the slave (raw mode stays set). */
    close(slave);
    if (link && point_link(link, p->slave, why, why_size)) {
        close(master);
        return -1;
    }
    p->master = master;
    return 0;
}

void sitl_pty_close(sitl_pty *p) {
    if (p->master >= 0) close(p->master);
    p->master = -1;
    p->host_open = 0;
    if (p->link) {
        char target[PATH_MAX];
        ssize_t n = readlink(p->link, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = 0;
            if (!strcmp(target, p->slave)) unlink(p->link);
        }
    }
}

const char *sitl_pty_path(const sitl_pty *p) { return p->link ? p->link : p->slave; }

static void flush_slave_input(const sitl_pty *p) {
    int fd = open(p->slave, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    tcflush(fd, TCIFLUSH);
    close(fd);
}

int sitl_pty_poll(sitl_pty *p) {
    if (p->master < 0) return 0;
    struct pollfd pfd = {.fd = p->master, .events = POLLIN};
    if (poll(&pfd, 1, 0) < 0) return 0;
    int open_now = !(pfd.revents & POLLHUP);
    int change = 0;
    if (open_now && !p->host_open) {
        change = 1;
        p->host_opens++;
    } else if (!open_now && p->host_open) {
        change = -1;
        /* What the host left unread would reach the next host: a real UART's bytes are gone with the host. */
        flush_slave_input(p);
    }
    p->host_open = open_now;
    return change;
}

size_t sitl_pty_read(sitl_pty *p, uint8_t *buf, size_t max) {
    if (p->master < 0) return 0;
    ssize_t n = read(p->master, buf, max);
    if (n > 0) return (size_t) n;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EIO && errno != EINTR) p->read_errors++;
    return 0;
}

size_t sitl_pty_write(sitl_pty *p, const uint8_t *buf, size_t n) {
    if (p->master < 0 || !p->host_open) return n; /* nobody listening: the bytes go into the void */
    ssize_t w = write(p->master, buf, n);
    if (w >= 0) return (size_t) w;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    if (errno == EIO) return n;
    p->read_errors++;
    return n;
}
