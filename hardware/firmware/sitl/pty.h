/*
 * pty.h: the emulator's end of its serial line, a pseudo-terminal (Linux).
 *
 * The emulator owns the master side; a host opens the slave (/dev/pts/N), directly or through a symlink (--link).
 * The slave is not held open by the emulator, so the master can tell whether a host has it open (POLLHUP while
 * nobody does): while nobody does, bytes for the host are discarded (as a UART sends into the void) instead of
 * piling up for the next opener, and the slave's input queue is flushed once when a host goes away.
 */
#ifndef TROT_SITL_PTY_H
#define TROT_SITL_PTY_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int master;            /* -1 while closed (unplugged) */
    char slave[128];       /* /dev/pts/N of the current pty */
    const char *link;      /* the symlink path, or NULL */
    int host_open;         /* a host has the slave open (as of the last sitl_pty_poll) */
    uint64_t host_opens;   /* times a host opened the port */
    uint64_t read_errors;  /* unexpected read or write errors (not EAGAIN, not the EIO of a closed slave) */
} sitl_pty;

/* Checks that link may be used: absent, or a symlink (stale or not), in a directory that exists. 0, or -1 with a
   message. */
int sitl_pty_check_link(const char *link, char *why, size_t why_size);
/* Opens a new pty (raw mode, master non-blocking) and points the link at its slave (replacing a symlink).
   0, or -1 with a message. */
int sitl_pty_open(sitl_pty *p, const char *link, char *why, size_t why_size);
/* Closes the master (a host sees its port go away) and removes the link if it still points at this pty. */
void sitl_pty_close(sitl_pty *p);
/* The path a host opens: the link if any, else the slave. */
const char *sitl_pty_path(const sitl_pty *p);
/* Updates host_open; returns 1 when a host opened the port since the last call, -1 when it closed it, 0 else. */
int sitl_pty_poll(sitl_pty *p);
/* Non-blocking read from the host: bytes read (0 when none, or no host). */
size_t sitl_pty_read(sitl_pty *p, uint8_t *buf, size_t max);
/* Non-blocking write to the host: bytes accepted (0 when the pty's buffer is full). */
size_t sitl_pty_write(sitl_pty *p, const uint8_t *buf, size_t n);

#endif
