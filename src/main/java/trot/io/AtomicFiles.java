package trot.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file all at once: the new content goes to a sibling temporary file {@code <name>.tmp}, which is
 * flushed to disk (fsync) and then renamed over the target. A rename within one directory is atomic on POSIX
 * file systems, so a reader, or a crash at any moment, sees either the old file whole or the new one whole,
 * never a mixture. If writing fails, the temporary file is deleted and the target is untouched.
 *
 * <p>{@code <name>.tmp} left behind by a killed process is simply overwritten by the next write.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the body of a file to a stream; it may close the stream or not. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The sibling that {@link #write} writes before renaming: {@code <name>.tmp}. */
    static Path tempFor(Path target) {
        Path name = target.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("not a file path: " + target);
        }
        return target.resolveSibling(name + ".tmp");
    }

    /**
     * Writes {@code body} to {@code target} atomically (see the class comment), creating missing parent
     * directories.
     *
     * @param fsync force the content to the storage device before the rename, and the directory entry after it
     *              (what makes the new file survive a power loss, not just a crash of the JVM)
     * @throws IOException from {@code body} or the file system; the target is then as it was
     */
    static void write(Path target, Body body, boolean fsync) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = tempFor(abs);
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        boolean moved = false;
        try {
            try (ch) {
                OutputStream raw = Channels.newOutputStream(ch);
                BufferedOutputStream buffered = new BufferedOutputStream(new FilterOutputStream(raw) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();   // the channel is closed below, after fsync
                    }
                }, 1 << 16);
                body.writeTo(buffered);
                buffered.flush();
                if (fsync) {
                    ch.force(true);
                }
            }
            moveAtomically(tmp, abs);
            moved = true;
        } finally {
            if (!moved) {   // the temporary file is ours (opened above): remove what was written
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // the write already failed; its exception is the one to report
                }
            }
        }
        if (fsync && dir != null) {
            syncDirectory(dir);
        }
    }

    /** Renames {@code from} over {@code to} in one step. */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + to + " atomically (the file system does not support an atomic"
                    + " rename of " + from.getFileName() + ")", e);
        }
    }

    /** Makes a rename in {@code dir} durable (fsync of the directory); a no-op where the platform cannot. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Windows and some file systems cannot open or sync a directory; the rename itself has happened.
        }
    }
}
