package trot.video;

import trot.env.Environment;
import trot.env.sim.A1Walk;
import trot.env.sim.Renderer;
import trot.runtime.Rollout;
import trot.train.EpisodeRecorder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A video of one episode of a MuJoCo task (an MP4 through {@link Mp4Writer}) and/or one still frame of it (a PNG),
 * rendered offscreen by a {@link Renderer} with the camera following the trunk.
 *
 * <p>Frames are sampled by the simulator's clock, not by the control steps: frame {@code k} shows the state at the
 * physics step nearest to {@code k / fps} seconds after the reset (1 ms steps: within 0.5 ms), so a 20 Hz controller
 * still gives a smooth 30 frames per second. Frame 0 is the reset state; the last is the last one due before the
 * episode ended. Rendering copies the simulation's state and changes nothing in it, nor any random number generator:
 * an evaluation with a video has the returns of one without.
 */
public final class EpisodeVideo implements EpisodeRecorder {

    /** Frame size, frames per second of simulated time, the camera and the rendering quality. */
    public record Settings(int width, int height, double fps, Renderer.Camera camera, Renderer.Quality quality) {
        public Settings {
            if (width < 16 || height < 16 || width > 8192 || height > 8192 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("video: the frame size " + width + "x" + height + " must be even"
                        + " numbers of pixels from 16 to 8192 (e.g. 640x480)");
            }
            if (!(fps > 0) || fps > 1000) {
                throw new IllegalArgumentException("video: the frame rate must be in (0, 1000] frames per second, got " + fps);
            }
            if (camera == null || quality == null) {
                throw new IllegalArgumentException("video: no camera or no quality");
            }
        }

        /** 640x480 at 30 frames per second of simulated time, following the trunk, in high quality. */
        public static Settings defaults() {
            return new Settings(640, 480, 30, Renderer.Camera.trunk(), Renderer.Quality.HIGH);
        }

        /** These settings in quality {@code name}: "high" (shadows, 4x multisampling) or "fast" (neither). */
        public Settings withQuality(String name) {
            Renderer.Quality q = switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "high" -> Renderer.Quality.HIGH;
                case "fast" -> Renderer.Quality.FAST;
                default -> throw new IllegalArgumentException("video: the quality is high (shadows, anti-aliasing) or"
                        + " fast (neither, about 4x faster to render), got '" + name + "'");
            };
            return new Settings(width, height, fps, camera, q);
        }

        /** These settings with the size given as {@code WIDTHxHEIGHT}, e.g. "1280x720". */
        public Settings withSize(String size) {
            String[] p = size.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (p.length != 2) {
                    throw new NumberFormatException();
                }
                return new Settings(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), fps, camera,
                        quality);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("video: the size must be WIDTHxHEIGHT in pixels, e.g. 640x480, got '"
                        + size + "'");
            }
        }
    }

    private final A1Walk env;
    private final Settings settings;
    private final Renderer renderer;
    private final Mp4Writer writer;   // null: a still only
    private final Path still;         // null: a video only
    private final double stillAt_s, halfStep_s;
    private final byte[] frame;
    private double start_s;
    private long frames;
    private boolean stillWritten, failed;

    /**
     * Prepares the recording of the next episode of {@code env}: a video into {@code mp4} and/or the frame at
     * {@code stillAt_s} seconds (or the last one, for a shorter episode) into {@code png}.
     *
     * @throws IllegalArgumentException when {@code env} is not a task that can be rendered, or neither file is given
     * @throws IllegalStateException    when no headless GL context can be made (the message names what to install)
     * @throws IOException              when ffmpeg cannot be started (the message says how to install it)
     */
    public EpisodeVideo(Environment env, Path mp4, Path png, double stillAt_s, Settings settings) throws IOException {
        if (!(env instanceof A1Walk a1)) {
            throw new IllegalArgumentException("video: " + env.spec().name() + " cannot be rendered; videos are made of"
                    + " the MuJoCo tasks (a1) in simulation");
        }
        if (mp4 == null && png == null) {
            throw new IllegalArgumentException("video: neither a video nor a still frame was asked for");
        }
        if (!(stillAt_s >= 0) || !Double.isFinite(stillAt_s)) {
            throw new IllegalArgumentException("video: the still frame's time must be a number of seconds >= 0, got " + stillAt_s);
        }
        this.env = a1;
        this.settings = settings;
        this.still = png;
        this.stillAt_s = stillAt_s;
        this.halfStep_s = a1.physicsStep_s() / 2;
        this.renderer = a1.renderer(settings.width(), settings.height(), settings.camera(), settings.quality());
        this.frame = new byte[renderer.frameBytes()];
        Mp4Writer w = null;
        if (mp4 != null) {
            try {
                w = new Mp4Writer(mp4, settings.width(), settings.height(), settings.fps());
            } catch (IOException | RuntimeException e) {
                renderer.close();
                throw e;
            }
        }
        this.writer = w;
    }

    /**
     * Checks that episodes of {@code env} can be rendered here with {@code settings} (a GL context is made and freed).
     *
     * @throws IllegalArgumentException when {@code env} is not a task that can be rendered
     * @throws IllegalStateException    when no headless GL context can be made (the message names what to install)
     */
    public static void check(Environment env, Settings settings) {
        if (!(env instanceof A1Walk a1)) {
            throw new IllegalArgumentException("video: " + env.spec().name() + " cannot be rendered; videos are made of"
                    + " the MuJoCo tasks (a1) in simulation");
        }
        a1.renderer(settings.width(), settings.height(), settings.camera(), settings.quality()).close();
    }

    @Override
    public void reset(Rollout r) {
        start_s = env.simulationTime_s();
        frames = 0;
        due(start_s);
        env.physicsListener(this::due);
    }

    @Override
    public void step(Rollout r) {
        if (r.result().terminated || r.result().truncated) {
            env.physicsListener(null);
        }
    }

    /** Renders every frame due at simulated time {@code time_s} (the nearest physics step to its time). */
    private void due(double time_s) {
        try {
            while (time_s - start_s >= frames / settings.fps() - halfStep_s) {
                double t = frames / settings.fps();
                boolean stillNow = still != null && !stillWritten && t >= stillAt_s - halfStep_s;
                if (writer == null && !stillNow) {
                    frames++;   // a still only: render just the frame it needs
                    continue;
                }
                renderer.render(frame);
                frames++;
                if (writer != null) {
                    writer.write(frame);
                }
                if (stillNow) {
                    writePng(frame, still);
                    stillWritten = true;
                }
            }
        } catch (IOException e) {
            failed = true;
            env.physicsListener(null);
            throw new UncheckedIOException(e);
        }
    }

    /** Frames rendered into the video so far (or due, for a still only). */
    public long frames() {
        return frames;
    }

    /** The platform and GL renderer used, e.g. "EGL device platform, llvmpipe (LLVM 15.0.6, 256 bits)". */
    public String renderer() {
        return renderer.description();
    }

    private void writePng(byte[] rgb, Path png) throws IOException {
        BufferedImage image = new BufferedImage(settings.width(), settings.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        Path target = png.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this JVM");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the video (and the still, from the last frame when the episode ended before its time). */
    @Override
    public void close() throws IOException {
        env.physicsListener(null);
        try {
            if (failed || frames == 0) {
                if (writer != null) {
                    writer.abandon();
                }
                if (frames == 0 && !failed) {
                    throw new IOException("video: no episode was recorded");
                }
                return;
            }
            if (still != null && !stillWritten) {
                if (writer == null) {
                    renderer.render(frame);   // the state at the episode's end
                }
                writePng(frame, still);
                stillWritten = true;
            }
            if (writer != null) {
                writer.close();
            }
        } finally {
            renderer.close();
        }
    }
}
