package trot.video;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.env.sim.A1Walk;
import trot.env.sim.Mujoco;
import trot.env.sim.Renderer;
import trot.train.Evaluator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Offscreen rendering of the A1 (EGL + MuJoCo's renderer) and its videos (ffmpeg): the frames show the robot, the
 * videos have the frames the simulated clock calls for, and recording changes no evaluation number.
 *
 * <p>Skips when MuJoCo's renderer or ffmpeg is missing here, unless {@code TROT_REQUIRE_VIDEO} is set (CI sets it:
 * there it must run).
 */
class VideoTest {
    static final Path MODEL = Path.of("hardware/a1/a1.xml");

    @BeforeAll
    static void renderer() {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        assumeVideo();
    }

    /** Skips without a renderer or ffmpeg, unless TROT_REQUIRE_VIDEO is set. */
    static void assumeVideo() {
        boolean required = System.getenv("TROT_REQUIRE_VIDEO") != null;
        if (!required) {
            assumeTrue(Renderer.available(), Renderer.unavailableReason());
            assumeTrue(ffmpegPresent(), "ffmpeg not installed (apt-get install ffmpeg)");
        }
    }

    static boolean ffmpegPresent() {
        try {
            Process p = new ProcessBuilder("ffprobe", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static A1Walk a1(int steps) {
        A1Walk.Config p = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL));
        return new A1Walk(new A1Walk.Config(p.robot(), p.targetSpeed_mps(), p.reward(), p.controlPeriod_s(), steps,
                p.frictionMin(), p.frictionMax(), p.terrain(), p.actionFilter()));
    }

    /** Variance of the grey level and the number of distinct colours of an RGB frame. */
    static double variance(byte[] rgb) {
        double s = 0, s2 = 0;
        int n = rgb.length / 3;
        for (int i = 0; i < rgb.length; i += 3) {
            double g = ((rgb[i] & 255) + (rgb[i + 1] & 255) + (rgb[i + 2] & 255)) / 3.0;
            s += g;
            s2 += g * g;
        }
        return s2 / n - (s / n) * (s / n);
    }

    static int colours(byte[] rgb) {
        Set<Integer> c = new HashSet<>();
        for (int i = 0; i < rgb.length; i += 3) {
            c.add((rgb[i] & 255) << 16 | (rgb[i + 1] & 255) << 8 | (rgb[i + 2] & 255));
        }
        return c.size();
    }

    /** Pixels whose colour differs by more than 30 (sum over channels) between two frames. */
    static int changed(byte[] a, byte[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i += 3) {
            int d = Math.abs((a[i] & 255) - (b[i] & 255)) + Math.abs((a[i + 1] & 255) - (b[i + 1] & 255))
                    + Math.abs((a[i + 2] & 255) - (b[i + 2] & 255));
            n += d > 30 ? 1 : 0;
        }
        return n;
    }

    /** Orange pixels: the robot's legs (the renderer's colour for bodies other than the trunk and the world). */
    static int orange(byte[] rgb) {
        int n = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            int r = rgb[i] & 255, g = rgb[i + 1] & 255, b = rgb[i + 2] & 255;
            n += r > 90 && r > g + 25 && g > b + 15 ? 1 : 0;
        }
        return n;
    }

    @Test
    void framesShowTheRobotAndRenderingChangesNothing() {
        try (Mujoco sim = new Mujoco(MODEL); Renderer r = new Renderer(sim, 320, 240, Renderer.Camera.trunk())) {
            sim.resetToKeyframe(sim.requireId(Mujoco.ObjectType.KEYFRAME, "home"));
            sim.forward();
            double[] qpos = new double[sim.nq()], qvel = new double[sim.nv()];
            sim.qpos().get(0, qpos);
            sim.qvel().get(0, qvel);
            double time = sim.time();
            byte[] first = new byte[r.frameBytes()];
            r.render(first);
            double[] after = new double[sim.nq()], afterVel = new double[sim.nv()];
            sim.qpos().get(0, after);
            sim.qvel().get(0, afterVel);
            assertArrayEquals(qpos, after, 0, "rendering changed qpos");
            assertArrayEquals(qvel, afterVel, 0, "rendering changed qvel");
            assertEquals(time, sim.time(), 0);
            assertTrue(variance(first) > 100, "a near-uniform frame: grey variance " + variance(first));
            assertTrue(colours(first) > 200, "only " + colours(first) + " colours");
            int legs = orange(first);
            assertTrue(legs > 300, "the robot's legs cover only " + legs + " pixels of 320x240: " + r.description());

            // Same state: the same picture (deterministic, and the renderer keeps no stale state between frames).
            byte[] again = new byte[r.frameBytes()];
            r.render(again);
            assertEquals(0, changed(first, again), "two renders of one state differ");

            // Fold the legs (thighs up, calves in): the camera follows the trunk, the legs move in the picture.
            for (String leg : A1Walk.LEGS) {
                int thigh = sim.jointQposAddress(sim.requireId(Mujoco.ObjectType.JOINT, leg + "_thigh_joint"));
                int calf = sim.jointQposAddress(sim.requireId(Mujoco.ObjectType.JOINT, leg + "_calf_joint"));
                sim.qpos().put(thigh, 1.6);
                sim.qpos().put(calf, -2.6);
            }
            byte[] folded = new byte[r.frameBytes()];
            r.render(folded);
            assertTrue(changed(first, folded) > 1000, "folding the legs changed " + changed(first, folded) + " pixels");
            // Moving the whole robot 0.25 m forward: the camera follows, the robot stays, the ground grid moves under it.
            sim.qpos().put(0, sim.qpos().get(0) + 0.25);
            byte[] moved = new byte[r.frameBytes()];
            r.render(moved);
            int legsMoved = orange(moved), legsFolded = orange(folded);
            assertTrue(Math.abs(legsMoved - legsFolded) < legsFolded / 5, "the robot left the picture: " + legsFolded
                    + " then " + legsMoved + " leg pixels");
            assertTrue(changed(folded, moved) > 200, "the ground did not move under a followed robot: "
                    + changed(folded, moved) + " pixels changed");
        }
    }

    @Test
    void theVideoHasTheFramesOfTheSimulatedClockAndTheReturnsOfARunWithout(@TempDir Path dir) throws Exception {
        int steps = 24;   // 1.2 s at 20 Hz: frames at 0, 1/30, ..., 1.2 s
        Evaluator.Controller stepping = (o, a) -> {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) Math.sin(0.7 * i + 3 * o[A1Walk.OBS_ROLL] + o[20 + i % 12]);
            }
        };
        Evaluator.Result plain;
        try (A1Walk env = a1(steps)) {
            plain = new Evaluator(env, 2, 5).run(stepping);
        }
        Path mp4 = dir.resolve("sub dir/eval.mp4"), png = dir.resolve("still.png");
        Evaluator.Result recorded;
        long frames;
        try (A1Walk env = a1(steps)) {
            EpisodeVideo video = new EpisodeVideo(env, mp4, png, 0.5, EpisodeVideo.Settings.defaults().withSize("320x240"));
            recorded = new Evaluator(env, 2, 5).run(stepping, video);
            frames = video.frames();
        }
        assertArrayEquals(plain.returns(), recorded.returns(), 0, "recording a video changed the evaluation");
        assertArrayEquals(plain.trace()[plain.trace().length - 1], recorded.trace()[recorded.trace().length - 1], 0);
        int physics = steps * 50;   // 1 ms steps
        long expected = (long) Math.floor((physics + 0.5) * 0.001 * 30) + 1;
        assertEquals(expected, frames);
        assertEquals(37, expected);
        assertEquals(expected, probeFrames(mp4), "frames in " + mp4);
        List<String> stream = probe(mp4, "stream=codec_name,pix_fmt,width,height,avg_frame_rate");
        assertEquals(List.of("h264", "320", "240", "yuv420p", "30/1"), stream);
        var image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(320, image.getWidth());
        assertEquals(240, image.getHeight());
        assertTrue(Files.list(mp4.getParent()).noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
    }

    @Test
    void trainingWithVideosHasTheNumbersOfTrainingWithout(@TempDir Path dir) throws Exception {
        trot.agent.LearnerConfig tiny = trot.agent.LearnerConfig.droq().with("hidden", "16,16").with("batch", "32")
                .with("utd", "2");
        trot.train.TrainingSettings settings = new trot.train.TrainingSettings(120, 60, 60, 1, 0, 1, 0, 4);
        EpisodeVideo.Settings small = EpisodeVideo.Settings.defaults().withSize("160x120").withQuality("fast");
        for (String run : new String[]{"with", "without"}) {
            try (A1Walk env = a1(30); A1Walk evalEnv = a1(30)) {
                trot.train.Trainer t = new trot.train.Trainer(settings, tiny, env, evalEnv, dir.resolve(run), false);
                if (run.equals("with")) {
                    t.videoEvery(1, file -> new EpisodeVideo(evalEnv, file, null, 0, small));
                }
                t.run(p -> { });
            }
        }
        for (long step : new long[]{60, 120}) {
            Path mp4 = trot.train.Trainer.videoFile(dir.resolve("with"), step);
            assertEquals(String.format("eval-step-%06d.mp4", step), mp4.getFileName().toString());
            assertEquals(dir.resolve("with/videos"), mp4.getParent());
            assertTrue(probeFrames(mp4) > 1, mp4 + " has no frames");
        }
        assertFalse(Files.exists(dir.resolve("without/videos")));
        for (String f : new String[]{"episodes.csv", "evaluations.csv"}) {
            trot.io.MetricsCsv.Table a = trot.io.MetricsCsv.read(dir.resolve("with").resolve(f));
            trot.io.MetricsCsv.Table b = trot.io.MetricsCsv.read(dir.resolve("without").resolve(f));
            for (String c : a.columns()) {
                if (!List.of("update_ms", "steps_per_second", "elapsed_s").contains(c)) {
                    assertArrayEquals(b.column(c), a.column(c), 0, f + " " + c + " differs with videos");
                }
            }
        }
    }

    @Test
    void theCommandsWriteVideosAndRefuseBadVideoFlags(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        StringBuilder log = new StringBuilder();
        int code = trot.testing.Commands.run(log, "train", "--env", "a1", "--model", MODEL.toString(), "--steps", "100",
                "--random-steps", "100", "--eval-interval", "100", "--eval-episodes", "1", "--set", "hidden=16,16",
                "--set", "batch=16", "--set", "utd=1", "--no-progress", "--video-every", "1", "--video-size", "160x120",
                "--out", run.toString());
        assertEquals(0, code, log.toString());
        Path mp4 = run.resolve("videos/eval-step-000100.mp4");
        long length = Math.round(trot.io.MetricsCsv.read(run.resolve("evaluations.csv")).column("mean_length")[0]);
        assertEquals((long) Math.floor((length * 50 + 0.5) * 0.001 * 30) + 1, probeFrames(mp4), "frames of " + mp4);

        Path policy = run.resolve("policy.ckpt");
        Path video = dir.resolve("eval.mp4"), still = dir.resolve("eval.png");
        StringBuilder eval = new StringBuilder();
        code = trot.testing.Commands.run(eval, "eval", "--policy", policy.toString(), "--model", MODEL.toString(),
                "--episodes", "1", "--video", video.toString(), "--still", still.toString(), "--still-at", "0.5",
                "--video-size", "160x120", "--video-quality", "fast", "--out", dir.resolve("e").toString());
        assertEquals(0, code, eval.toString());
        assertTrue(eval.toString().contains("video of episode 1: " + video.toAbsolutePath()), eval.toString());
        assertEquals(160, javax.imageio.ImageIO.read(still.toFile()).getWidth());
        assertTrue(probeFrames(video) > 1);

        String[][] refused = {
                {"--video", dir.resolve("x.avi").toString()}, {"name it FILE.mp4"},
                {"--video", video.toString()}, {"exists; give another name or --force"},
                {"--still", dir.resolve("s.jpg").toString()}, {"name it FILE.png"},
                {"--video", dir.resolve("y.mp4").toString(), "--video-size", "641x480"}, {"must be even"},
                {"--video", dir.resolve("y.mp4").toString(), "--video-quality", "best"}, {"high (shadows"},
                {"--video", dir.resolve("y.mp4").toString(), "--port", "/dev/null"}, {"trot emulate --video"}};
        for (int i = 0; i < refused.length; i += 2) {
            List<String> args = new ArrayList<>(List.of("eval", "--policy", policy.toString(), "--model", MODEL.toString(),
                    "--episodes", "1", "--out", dir.resolve("e2").toString()));
            args.addAll(List.of(refused[i]));
            StringBuilder why = new StringBuilder();
            assertEquals(2, trot.testing.Commands.run(why, args.toArray(String[]::new)), why.toString());
            assertTrue(why.toString().contains(refused[i + 1][0]), String.join(" ", refused[i]) + ": " + why);
        }
        assertFalse(Files.exists(dir.resolve("y.mp4")));
        StringBuilder pendulum = new StringBuilder();
        assertEquals(2, trot.testing.Commands.run(pendulum, "train", "-e", "pendulum", "--steps", "10",
                "--video-every", "1", "--out", dir.resolve("p").toString()));
        assertTrue(pendulum.toString().contains("--video-every renders the MuJoCo simulation"), pendulum.toString());
    }

    @Test
    void aFailedRecordingLeavesNoVideoAndNamesTheEncoder(@TempDir Path dir) throws Exception {
        Path mp4 = dir.resolve("v.mp4");
        Files.writeString(mp4, "an earlier video");
        IOException e = assertThrows(IOException.class, () -> {
            try (Mp4Writer w = new Mp4Writer(mp4, 64, 48, 30)) {
                w.write(new byte[64 * 48 * 3]);
                w.write(new byte[64 * 48 * 3]);
                w.abandon();
                throw new IOException("abandoned");
            }
        });
        assertEquals("abandoned", e.getMessage());
        assertEquals("an earlier video", Files.readString(mp4), "an abandoned recording replaced the earlier file");
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".partial")));
        assertThrows(IllegalArgumentException.class, () -> new Mp4Writer(mp4, 63, 48, 30));
        assertThrows(IllegalArgumentException.class, () -> EpisodeVideo.Settings.defaults().withSize("640by480"));
    }

    @Test
    void theEmulatorWritesAVideoOfWhatItsRobotDid(@TempDir Path dir) throws Exception {
        Path emulator = Path.of("hardware/firmware/build/trot-emulator");
        if (System.getenv("TROT_REQUIRE_EMULATOR") == null) {
            assumeTrue(Files.isExecutable(emulator), "the emulator is not built");
        }
        Path mp4 = dir.resolve("emulated.mp4");
        // Starting on its side, the disarmed robot falls flat: the frames change.
        Process p = new ProcessBuilder(emulator.toString(), "--model", MODEL.toString(), "--duration", "1", "--quiet",
                "--start", "side", "--video", mp4.toString(), "--video-size", "320x240").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // 1000 steps, then 10 ticks of the e-stop at the shutdown: frames at 0, 1/30, ..., 1.0 s.
        assertTrue(out.contains("video " + mp4 + ": 31 frames"), out);
        assertEquals(31, probeFrames(mp4));
        assertEquals(List.of("h264", "320", "240", "yuv420p"), probe(mp4, "stream=codec_name,pix_fmt,width,height"));

        Process bad = new ProcessBuilder(emulator.toString(), "--model", MODEL.toString(), "--duration", "1",
                "--video", dir.resolve("v.avi").toString()).redirectErrorStream(true).start();
        String why = new String(bad.getInputStream().readAllBytes());
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue(), why);
        assertTrue(why.contains("name it FILE.mp4"), why);
    }

    @Test
    void withoutAGlDriverTheErrorNamesTheDebianPackages(@TempDir Path dir) throws Exception {
        // Mesa's EGL vendor file hidden (as without libegl-mesa0), then Mesa's drivers (as without libgl1-mesa-dri).
        assertTrue(probeRenderer(dir, java.util.Map.of()).startsWith("rendered on "), "the probe renders here");
        for (var env : List.of(java.util.Map.of("__EGL_VENDOR_LIBRARY_FILENAMES", dir.resolve("none.json").toString()),
                java.util.Map.of("LIBGL_DRIVERS_PATH", dir.toString()))) {
            String out = probeRenderer(dir, env);
            assertTrue(out.startsWith("error: ") && out.contains("apt-get install") && out.contains("libegl-mesa0")
                    && out.contains("libgl1-mesa-dri"), env + ": " + out);
        }
    }

    /** The last line a child JVM running {@link RendererProbe} printed, with {@code env} added to its environment. */
    static String probeRenderer(Path dir, java.util.Map<String, String> env) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder b = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.library.path=" + System.getProperty("java.library.path"), RendererProbe.class.getName(),
                MODEL.toString()).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    static long probeFrames(Path mp4) throws Exception {
        List<String> v = probe(mp4, "stream=nb_read_frames", "-count_frames");
        return Long.parseLong(v.get(0));
    }

    static List<String> probe(Path mp4, String entries, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffprobe", "-v", "error", "-select_streams", "v:0"));
        command.addAll(List.of(extra));
        command.addAll(List.of("-show_entries", entries, "-of", "default=noprint_wrappers=1:nokey=1", mp4.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return List.of(out.strip().split("\\s+"));
    }
}
