package trot.testing;

import org.jblas.FloatMatrix;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reference fixture written by {@code reference/make_fixtures.py} (the format is described there):
 * named row-major tensors from PyTorch, loaded into jblas matrices.
 *
 * <p>{@link #matrix} keeps PyTorch's orientation (a (batch, features) tensor becomes a batch x features matrix,
 * which is trot's activation layout); {@link #linearWeight} turns PyTorch's (out, in) weight into trot's in x out.
 */
public final class Fixture {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "TROTFIX\0".getBytes(StandardCharsets.US_ASCII);

    public final String resource;
    public final String meta;
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> data = new LinkedHashMap<>();

    private Fixture(String resource, String meta) {
        this.resource = resource;
        this.meta = meta;
    }

    /** Loads {@code /fixtures/<name>} from the test class path. */
    public static Fixture load(String name) {
        String path = "/fixtures/" + name;
        try (InputStream raw = Fixture.class.getResourceAsStream(path)) {
            if (raw == null) {
                throw new IllegalStateException("fixture " + path + " is not on the test class path; regenerate with "
                        + "/usr/bin/python3 reference/make_fixtures.py");
            }
            return read(path, raw.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fixture " + path + ": " + e.getMessage(), e);
        }
    }

    static Fixture read(String path, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(path + " is not a trot fixture (bad magic)");
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new IOException(path + " has fixture format version " + version + ", this reader knows " + VERSION
                    + "; regenerate with /usr/bin/python3 reference/make_fixtures.py");
        }
        Fixture f = new Fixture(path, string(buf));
        int count = buf.getInt();
        for (int t = 0; t < count; t++) {
            String name = string(buf);
            int dtype = buf.getInt();
            int ndim = buf.getInt();
            int[] shape = new int[ndim];
            int n = 1;
            for (int d = 0; d < ndim; d++) {
                shape[d] = buf.getInt();
                n *= shape[d];
            }
            float[] values = new float[n];
            if (dtype == 0) {
                buf.asFloatBuffer().get(values);
                buf.position(buf.position() + 4 * n);
            } else if (dtype == 1) {
                for (int i = 0; i < n; i++) {
                    values[i] = buf.get() & 0xFF;
                }
            } else {
                throw new IOException(path + ": tensor " + name + " has unknown dtype " + dtype);
            }
            f.shapes.put(name, shape);
            f.data.put(name, values);
        }
        if (buf.hasRemaining()) {
            throw new IOException(path + ": " + buf.remaining() + " trailing bytes");
        }
        return f;
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public boolean has(String name) {
        return data.containsKey(name);
    }

    public int[] shape(String name) {
        return require(name, shapes).clone();
    }

    /** The raw row-major values. */
    public float[] values(String name) {
        return require(name, data).clone();
    }

    public float scalar(String name) {
        float[] v = require(name, data);
        if (v.length != 1) {
            throw new IllegalArgumentException(resource + ": " + name + " has " + v.length + " elements, not 1");
        }
        return v[0];
    }

    /**
     * A (rows, cols) tensor as a rows x cols matrix; a 1-D tensor of length n as an n x 1 column.
     */
    public FloatMatrix matrix(String name) {
        int[] s = shape(name);
        float[] v = require(name, data);
        if (s.length == 1) {
            return new FloatMatrix(s[0], 1, v.clone());
        }
        if (s.length != 2) {
            throw new IllegalArgumentException(resource + ": " + name + " has " + s.length + " dimensions");
        }
        FloatMatrix m = new FloatMatrix(s[0], s[1]);
        for (int r = 0; r < s[0]; r++) {
            for (int c = 0; c < s[1]; c++) {
                m.put(r, c, v[r * s[1] + c]);
            }
        }
        return m;
    }

    /** PyTorch's Linear weight (out, in) as trot's in x out matrix (the same bytes, column-major). */
    public FloatMatrix linearWeight(String name) {
        int[] s = shape(name);
        if (s.length != 2) {
            throw new IllegalArgumentException(resource + ": " + name + " is not a 2-D weight");
        }
        return new FloatMatrix(s[1], s[0], require(name, data).clone());
    }

    private <T> T require(String name, Map<String, T> map) {
        T v = map.get(name);
        if (v == null) {
            throw new IllegalArgumentException(resource + " has no tensor named " + name + "; it has " + map.keySet());
        }
        return v;
    }
}
