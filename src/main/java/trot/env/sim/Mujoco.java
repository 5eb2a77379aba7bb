package trot.env.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One MuJoCo simulation (a model and its data) through trot's JNI bridge, {@code libtrotmujoco.so}
 * ({@code native/mujoco_bridge.c}, loaded by {@link trot.util.NativeLoader}) over Debian's {@code libmujoco-dev} 2.2. Generic: it loads any MJCF file and knows nothing about any robot.
 *
 * <p>The arrays a controller needs ({@code qpos}, {@code qvel}, {@code ctrl}, {@code sensordata}, ...) are
 * exposed as {@link DoubleBuffer} views of MuJoCo's own memory: reading a sensor or writing a control is a buffer
 * access, and {@link #step(int)} is one JNI call. Nothing here allocates after construction.
 *
 * <p>Not thread-safe; one thread per simulation. Units are MuJoCo's (SI: m, s, rad, N, N m).
 */
public final class Mujoco implements AutoCloseable {
    /** MuJoCo's warning numbers (mjtWarning), as bits in {@link #step}'s result. */
    public static final int WARN_BADQPOS = 1 << 4, WARN_BADQVEL = 1 << 5, WARN_BADQACC = 1 << 6, WARN_BADCTRL = 1 << 7;

    private static final String LOAD_ERROR = load();

    private long handle;
    private final Path file;
    private final int nq, nv, nu, nsensordata, ngeom, nbody, njnt, nkey, nhfield, nsite, nsensor;
    private final double timestep;
    private final DoubleBuffer qpos, qvel, ctrl, sensordata, time;

    private static String load() {
        trot.util.NativeLoader.Library library = trot.util.NativeLoader.load("trotmujoco");
        if (library.loaded()) {
            System.getLogger("trot.env.sim").log(System.Logger.Level.INFO, "MuJoCo bridge " + library.describe());
            return null;
        }
        String m = library.error();
        if (m.contains("libmujoco")) {
            return "MuJoCo is not installed (" + m + "): install it with 'apt-get install libmujoco-dev' (Debian 12;"
                    + " the runtime alone is libmujoco2.2.2)";
        }
        return "trot's MuJoCo bridge libtrotmujoco.so did not load (" + m + "): install libmujoco-dev (Debian:"
                + " apt-get install libmujoco-dev) and rebuild trot (mvn package) or native/ ('make -C native')";
    }

    /** True when the bridge and MuJoCo are loadable in this JVM. */
    public static boolean available() {
        return LOAD_ERROR == null;
    }

    /** Why MuJoCo cannot be used here, or null when it can. */
    public static String unavailableReason() {
        return LOAD_ERROR;
    }

    /** MuJoCo's version, e.g. "MuJoCo 2.2.2". */
    public static String version() {
        requireLoaded();
        return nativeVersion();
    }

    private static void requireLoaded() {
        if (LOAD_ERROR != null) {
            throw new IllegalStateException(LOAD_ERROR);
        }
    }

    /**
     * Loads an MJCF model and makes its data.
     *
     * @throws IllegalArgumentException when the file is missing or MuJoCo rejects it (MuJoCo's message included)
     * @throws IllegalStateException    when MuJoCo or the bridge is not installed (the message says what to install)
     */
    public Mujoco(Path mjcf) {
        requireLoaded();
        if (!Files.isRegularFile(mjcf)) {
            throw new IllegalArgumentException("MuJoCo model " + mjcf.toAbsolutePath() + " does not exist or is not a file");
        }
        this.file = mjcf.toAbsolutePath();
        try {
            this.handle = nativeLoad(file.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MuJoCo could not load " + file + ": " + e.getMessage(), e);
        }
        int[] s = nativeSizes(handle);
        nq = s[0];
        nv = s[1];
        nu = s[2];
        nsensordata = s[3];
        ngeom = s[4];
        nbody = s[5];
        njnt = s[6];
        nkey = s[7];
        nhfield = s[8];
        nsite = s[9];
        nsensor = s[10];
        timestep = nativeTimestep(handle);
        qpos = doubles("qpos");
        qvel = doubles("qvel");
        ctrl = doubles("ctrl");
        sensordata = doubles("sensordata");
        time = doubles("time");
    }

    private ByteBuffer view(String which) {
        ByteBuffer b = (ByteBuffer) nativeView(checkOpen(), which);
        return b == null ? ByteBuffer.allocateDirect(0) : b.order(ByteOrder.nativeOrder());
    }

    /** A view of one of MuJoCo's double arrays: qpos, qvel, qacc, ctrl, qfrc_applied, actuator_force, sensordata,
     * xpos, xquat, geom_xpos, site_xpos, time, geom_friction, geom_pos, geom_quat, body_pos, gravity, key_qpos,
     * hfield_size. Writes go straight into the simulation. */
    public DoubleBuffer doubles(String which) {
        return view(which).asDoubleBuffer();
    }

    /** The elevation data of all height fields (MuJoCo's hfield_data, floats in [0, 1]), writable. */
    public FloatBuffer heightFieldData() {
        return view("hfield_data").asFloatBuffer();
    }

    /** The native handle, for trot's other native libraries in this package (the {@link Renderer}). */
    long nativeHandle() {
        return checkOpen();
    }

    private long checkOpen() {
        if (handle == 0) {
            throw new IllegalStateException("MuJoCo simulation of " + file + " is closed");
        }
        return handle;
    }

    /** The id of a named object, or -1 when the model has none of that name. */
    public int id(ObjectType type, String name) {
        return nativeId(checkOpen(), type.mujocoName, name);
    }

    /**
     * The id of a named object.
     *
     * @throws IllegalArgumentException naming the object and the model file when it is absent
     */
    public int requireId(ObjectType type, String name) {
        int id = id(type, name);
        if (id < 0) {
            throw new IllegalArgumentException("MuJoCo model " + file + " has no " + type.mujocoName + " named '" + name + "'");
        }
        return id;
    }

    /** The name of object {@code id} of {@code type}, or null when it has none. */
    public String name(ObjectType type, int id) {
        return nativeName(checkOpen(), type.mujocoName, id);
    }

    /** The names of every named object of {@code type}, in id order (unnamed ones left out). */
    public java.util.List<String> names(ObjectType type) {
        int count = switch (type) {
            case BODY -> nbody();
            case JOINT -> njnt();
            case GEOM -> ngeom();
            case SITE -> nsite();
            case ACTUATOR -> nu();
            case SENSOR -> nsensor();
            case KEYFRAME -> nkey();
            case HEIGHT_FIELD -> nhfield();
        };
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String n = name(type, i);
            if (n != null && !n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    /** MuJoCo's type code (mjtSensor) of sensor {@code sensor}. */
    public int sensorType(int sensor) {
        return nativeInt(checkOpen(), "sensor_type", sensor);
    }

    /** MuJoCo's type code (mjtJoint: 0 free, 1 ball, 2 slide, 3 hinge) of joint {@code joint}. */
    public int jointType(int joint) {
        return nativeInt(checkOpen(), "jnt_type", joint);
    }

    /** The first joint of body {@code body}, or -1 when it has none. */
    public int bodyFirstJoint(int body) {
        return nativeInt(checkOpen(), "body_jntnum", body) > 0 ? nativeInt(checkOpen(), "body_jntadr", body) : -1;
    }

    /** Index in qpos of joint {@code joint}'s first coordinate. */
    public int jointQposAddress(int joint) {
        return nativeInt(checkOpen(), "jnt_qposadr", joint);
    }

    /** Index in qvel of joint {@code joint}'s first degree of freedom. */
    public int jointDofAddress(int joint) {
        return nativeInt(checkOpen(), "jnt_dofadr", joint);
    }

    /** Index in sensordata of sensor {@code sensor}'s first value. */
    public int sensorAddress(int sensor) {
        return nativeInt(checkOpen(), "sensor_adr", sensor);
    }

    /** Number of values sensor {@code sensor} writes. */
    public int sensorDimension(int sensor) {
        return nativeInt(checkOpen(), "sensor_dim", sensor);
    }

    /** The joint actuator {@code actuator} drives, or -1 when it drives something else. */
    public int actuatorJoint(int actuator) {
        return nativeInt(checkOpen(), "actuator_joint", actuator);
    }

    /** {rows, columns, address in heightFieldData()} of height field {@code hfield}. */
    public int[] heightField(int hfield) {
        long h = checkOpen();
        return new int[]{nativeInt(h, "hfield_nrow", hfield), nativeInt(h, "hfield_ncol", hfield),
                nativeInt(h, "hfield_adr", hfield)};
    }

    /** Resets the data to keyframe {@code key} (positions, velocities, controls, time). */
    public void resetToKeyframe(int key) {
        if (key < 0 || key >= nkey) {
            throw new IllegalArgumentException("MuJoCo model " + file + " has " + nkey + " keyframes, asked for " + key);
        }
        nativeResetKeyframe(checkOpen(), key);
    }

    /** Resets the data to the model's defaults. */
    public void reset() {
        nativeResetKeyframe(checkOpen(), -1);
    }

    /**
     * Advances {@code n} physics steps with the current controls.
     *
     * @return the MuJoCo warnings raised during these steps, as bits ({@link #WARN_BADQACC}: the simulation became
     *         unstable and MuJoCo reset its data); 0 when all went well
     */
    public int step(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("MuJoCo.step: negative step count " + n);
        }
        return nativeStep(checkOpen(), n);
    }

    /** Recomputes kinematics, sensors and contacts of the current state without advancing time. */
    public int forward() {
        return nativeForward(checkOpen());
    }

    /** Contacts found by the last step or forward. */
    public int contactCount() {
        return nativeContactCount(checkOpen());
    }

    /** The two geoms of contact {@code i}: {@code [geom1, geom2]} written into {@code out}. */
    public void contactGeoms(int i, int[] out) {
        int v = nativeContactGeoms(checkOpen(), i);
        if (v < 0) {
            throw new IllegalArgumentException("MuJoCo: contact " + i + " out of range (" + contactCount() + " contacts)");
        }
        out[0] = v >>> 16;
        out[1] = v & 0xFFFF;
    }

    public DoubleBuffer qpos() {
        return qpos;
    }

    public DoubleBuffer qvel() {
        return qvel;
    }

    public DoubleBuffer ctrl() {
        return ctrl;
    }

    public DoubleBuffer sensordata() {
        return sensordata;
    }

    /** Simulated time, seconds. */
    public double time() {
        return time.get(0);
    }

    /** Physics time step, seconds. */
    public double timestep() {
        return timestep;
    }

    public int nq() {
        return nq;
    }

    public int nv() {
        return nv;
    }

    public int nu() {
        return nu;
    }

    public int nsensordata() {
        return nsensordata;
    }

    public int ngeom() {
        return ngeom;
    }

    public int nbody() {
        return nbody;
    }

    public int njnt() {
        return njnt;
    }

    public int nkey() {
        return nkey;
    }

    public int nhfield() {
        return nhfield;
    }

    public int nsite() {
        return nsite;
    }

    public int nsensor() {
        return nsensor;
    }

    public Path file() {
        return file;
    }

    /** Frees MuJoCo's model and data; the views must not be used afterwards. */
    @Override
    public void close() {
        if (handle != 0) {
            nativeClose(handle);
            handle = 0;
        }
    }

    /** The kinds of named objects {@link #id} looks up. */
    public enum ObjectType {
        BODY("body"), JOINT("joint"), GEOM("geom"), SITE("site"), ACTUATOR("actuator"), SENSOR("sensor"),
        KEYFRAME("key"), HEIGHT_FIELD("hfield");

        final String mujocoName;

        ObjectType(String mujocoName) {
            this.mujocoName = mujocoName;
        }
    }

    private static native String nativeVersion();

    private static native long nativeLoad(String file);

    private static native void nativeClose(long handle);

    private static native int[] nativeSizes(long handle);

    private static native double nativeTimestep(long handle);

    private static native int nativeId(long handle, String type, String name);

    private static native int nativeInt(long handle, String which, int id);

    private static native String nativeName(long handle, String type, int id);

    private static native Object nativeView(long handle, String which);

    private static native int nativeStep(long handle, int n);

    private static native int nativeForward(long handle);

    private static native void nativeResetKeyframe(long handle, int key);

    private static native int nativeContactCount(long handle);

    private static native int nativeContactGeoms(long handle, int i);
}
