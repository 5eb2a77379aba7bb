package trot.video;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes RGB frames into an H.264 MP4 file by piping them, raw, to Debian's {@code ffmpeg} ({@code libx264},
 * {@code yuv420p}: the format every browser and player reads, {@code +faststart}: playable while it downloads).
 *
 * <p>The video goes to a temporary file beside the target and is renamed onto it only when ffmpeg has finished
 * without error: an interrupted or failed recording leaves no truncated video behind, and an earlier file of that
 * name stays whole until the new one is complete.
 */
public final class Mp4Writer implements AutoCloseable {
    /** The command run, unless {@code TROT_FFMPEG} names another. */
    public static final String FFMPEG = "ffmpeg";

    private final Path file, partial, log;
    private final int width, height;
    private final Process process;
    private final OutputStream in;
    private long frames;
    private boolean closed;

    /**
     * Starts ffmpeg for a {@code width x height} video of {@code fps} frames per second into {@code file}.
     *
     * @throws IOException when ffmpeg is not installed (the message says {@code apt-get install ffmpeg}) or cannot start
     */
    public Mp4Writer(Path file, int width, int height, double fps) throws IOException {
        if (width < 2 || height < 2 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("Mp4Writer: the frame size " + width + "x" + height
                    + " must be even in both directions (yuv420p halves the colour planes)");
        }
        if (!(fps > 0) || fps > 1000) {
            throw new IllegalArgumentException("Mp4Writer: the frame rate must be in (0, 1000] frames per second, got " + fps);
        }
        this.file = file.toAbsolutePath();
        this.width = width;
        this.height = height;
        Path dir = this.file.getParent();
        Files.createDirectories(dir);
        this.partial = Files.createTempFile(dir, "." + this.file.getFileName(), ".partial");
        this.log = Files.createTempFile("trot-ffmpeg", ".log");
        List<String> command = List.of(ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", width + "x" + height,
                "-framerate", String.format(java.util.Locale.ROOT, "%.6f", fps), "-i", "pipe:0",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4", partial.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        try {
            this.process = pb.start();
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(log);
            throw new IOException("cannot start " + ffmpeg() + " to encode the video " + this.file + " (" + e.getMessage()
                    + "): install it with 'apt-get install ffmpeg' (Debian 12)", e);
        }
        this.in = new BufferedOutputStream(process.getOutputStream(), 1 << 20);
    }

    /**
     * Checks that ffmpeg runs here and has the H.264 encoder libx264 (Debian's ffmpeg has).
     *
     * @throws IOException saying what to install when not
     */
    public static void requireEncoder() throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(ffmpeg(), "-hide_banner", "-encoders").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot start " + ffmpeg() + " to encode videos (" + e.getMessage() + "): install it"
                    + " with 'apt-get install ffmpeg' (Debian 12)", e);
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0 || !out.contains("libx264")) {
                throw new IOException(ffmpeg() + " has no H.264 encoder (libx264); install Debian's build with"
                        + " 'apt-get install ffmpeg'");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + ffmpeg() + " for its encoders", e);
        }
    }

    /** The encoder's command: {@code TROT_FFMPEG} when set (for another build of ffmpeg), else {@code ffmpeg}. */
    static String ffmpeg() {
        String e = System.getenv("TROT_FFMPEG");
        return e != null && !e.isBlank() ? e : FFMPEG;
    }

    /** Appends one frame: {@code width * height * 3} bytes, RGB, top row first. */
    public void write(byte[] rgb) throws IOException {
        if (closed) {
            throw new IllegalStateException("Mp4Writer: " + file + " is closed");
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("Mp4Writer: a " + width + "x" + height + " RGB frame has "
                    + width * height * 3 + " bytes, got " + rgb.length);
        }
        try {
            in.write(rgb);
        } catch (IOException e) {
            throw failure("ffmpeg stopped taking frames", e);
        }
        frames++;
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    public Path file() {
        return file;
    }

    private IOException failure(String what, Exception cause) throws IOException {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String output = Files.exists(log) ? Files.readString(log).strip() : "";
        Files.deleteIfExists(partial);
        Files.deleteIfExists(log);
        closed = true;
        return new IOException(what + " while encoding " + file + (output.isEmpty() ? "" : ": " + output)
                + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""), cause);
    }

    /** Ends the stream, waits for ffmpeg and puts the finished video in place. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            in.close();
        } catch (IOException e) {
            throw failure("ffmpeg stopped taking frames", e);
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted", e);
        }
        if (code != 0) {
            throw failure("ffmpeg exited with status " + code, null);
        }
        closed = true;
        Files.deleteIfExists(log);
        if (frames == 0) {
            Files.deleteIfExists(partial);
            throw new IOException("no frames were recorded for " + file + "; no video written");
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Drops the recording: ffmpeg is stopped and no file is written. */
    public void abandon() throws IOException {
        if (!closed) {
            failure("abandoned", null);
        }
    }
}
