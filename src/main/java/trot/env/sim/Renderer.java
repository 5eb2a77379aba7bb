package trot.env.sim;

/**
 * An offscreen, headless renderer of a {@link Mujoco} simulation: MuJoCo's own renderer over an EGL context
 * ({@code native/build/libtrotrender.so}, Mesa's software rasteriser llvmpipe on a machine without a GPU). No display
 * is needed. A camera follows one body (the trunk) from a fixed distance and direction.
 *
 * <p>Rendering does not touch the simulation: the renderer keeps its own copy of the model (with its own colours and
 * resolution) and its own data, into which {@link #render} copies the simulation's {@code qpos} and recomputes the
 * kinematics. It reads the model's height fields (and uploads them again when the task drew a new terrain). So a
 * run with video gives the same numbers as one without.
 *
 * <p>A separate native library from the simulator's: without the GL libraries only this class is unavailable
 * ({@link #unavailableReason()} names the Debian packages). Not thread-safe; one thread per renderer.
 */
public final class Renderer implements AutoCloseable {

    /** Where the camera is: following body {@code body} from {@code distance_m}, at {@code azimuth_deg} (MuJoCo's:
     * 90 looks along +y) and {@code elevation_deg} (negative: from above). */
    public record Camera(String body, double distance_m, double azimuth_deg, double elevation_deg) {
        public Camera {
            if (body == null || body.isBlank()) {
                throw new IllegalArgumentException("Renderer.Camera: the body to follow must be named");
            }
            if (!(distance_m > 0) || !Double.isFinite(distance_m)) {
                throw new IllegalArgumentException("Renderer.Camera: the distance must be positive, got " + distance_m + " m");
            }
            if (!Double.isFinite(azimuth_deg) || !(elevation_deg > -90 && elevation_deg < 90)) {
                throw new IllegalArgumentException("Renderer.Camera: the elevation must be in (-90, 90) degrees and the"
                        + " azimuth finite, got " + elevation_deg + " and " + azimuth_deg);
            }
        }

        /** The trunk from 2 m, from the front left, 25 degrees above (the horizon just out of the picture: the
         * scene has no sky). */
        public static Camera trunk() {
            return new Camera("trunk", 2.0, 135, -25);
        }
    }

    /** HIGH: shadows and 4x multisampling; FAST: neither, about a quarter of the time per frame on llvmpipe. */
    public enum Quality { HIGH, FAST }

    private static final String LOAD_ERROR = load();

    private static String load() {
        if (!Mujoco.available()) {
            return Mujoco.unavailableReason();
        }
        trot.util.NativeLoader.Library library = trot.util.NativeLoader.load("trotrender");
        if (library.loaded()) {
            System.getLogger("trot.env.sim").log(System.Logger.Level.INFO, "renderer " + library.describe());
            return null;
        }
        String m = String.valueOf(library.error());
        if (m.contains("libEGL")) {
            return "rendering needs EGL, which is not installed (" + m + "): install it with 'apt-get install libegl1"
                    + " libegl-mesa0 libgl1-mesa-dri' (Debian 12: libglvnd's EGL, Mesa's EGL driver and its software"
                    + " renderer for machines without a GPU)";
        }
        return "trot's renderer libtrotrender.so did not load (" + m + "): install libegl-dev (Debian: apt-get install"
                + " libegl-dev libegl-mesa0 libgl1-mesa-dri) and rebuild native/ ('make -C native'); it is then found in"
                + " the jar, on java.library.path or in -Dtrot.native.dir";
    }

    /** True when the renderer's library loads here (a GL driver is still needed: {@link #Renderer} says if not). */
    public static boolean available() {
        return LOAD_ERROR == null;
    }

    /** Why rendering is unavailable, or null. */
    public static String unavailableReason() {
        return LOAD_ERROR;
    }

    private final Mujoco sim;
    private final int width, height;
    private final String description;
    private long handle;

    /**
     * A renderer of {@code width x height} pixels for {@code sim}.
     *
     * @throws IllegalArgumentException for a size outside 16..8192 or a camera body the model lacks
     * @throws IllegalStateException    when no headless GL context can be made (the message names what to install)
     */
    public Renderer(Mujoco sim, int width, int height, Camera camera) {
        this(sim, width, height, camera, Quality.HIGH);
    }

    /** {@link #Renderer(Mujoco, int, int, Camera)} in the given quality. */
    public Renderer(Mujoco sim, int width, int height, Camera camera, Quality quality) {
        if (LOAD_ERROR != null) {
            throw new IllegalStateException(LOAD_ERROR);
        }
        if (width < 16 || height < 16 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("Renderer: the frame size " + width + "x" + height
                    + " is outside 16..8192 pixels per side");
        }
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("Renderer: the frame size " + width + "x" + height + " must be even in"
                    + " both directions (H.264 in yuv420p, the format every player reads, halves the colour planes)");
        }
        if (sim.id(Mujoco.ObjectType.BODY, camera.body()) < 0) {
            throw new IllegalArgumentException("Renderer: the model " + sim.file() + " has no body named '" + camera.body()
                    + "' for the camera to follow");
        }
        this.sim = sim;
        this.width = width;
        this.height = height;
        this.handle = nativeOpen(sim.nativeHandle(), width, height, camera.body(), camera.distance_m(),
                camera.azimuth_deg(), camera.elevation_deg(), quality == Quality.HIGH);
        this.description = nativeDescribe(handle);
    }

    /** A frame of the simulation's current state: {@code width * height * 3} bytes, RGB, top row first. */
    public void render(byte[] rgb) {
        if (handle == 0) {
            throw new IllegalStateException("Renderer: closed");
        }
        if (rgb.length != frameBytes()) {
            throw new IllegalArgumentException("Renderer: the frame buffer has " + rgb.length + " bytes, a "
                    + width + "x" + height + " RGB frame " + frameBytes());
        }
        nativeRender(handle, sim.nativeHandle(), rgb);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bytes of one RGB frame. */
    public int frameBytes() {
        return width * height * 3;
    }

    /** The EGL platform and the GL renderer, e.g. "EGL device platform, llvmpipe (LLVM 15.0.6, 256 bits)". */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (handle != 0) {
            nativeClose(handle);
            handle = 0;
        }
    }

    private static native long nativeOpen(long sim, int width, int height, String body, double distance_m,
                                          double azimuth_deg, double elevation_deg, boolean high);

    private static native void nativeRender(long handle, long sim, byte[] rgb);

    private static native String nativeDescribe(long handle);

    private static native void nativeClose(long handle);
}
