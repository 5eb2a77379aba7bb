package trot.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared test vectors, {@code hardware/protocol/vectors.txt} (format: protocol.md section 7), and the mapping
 * of their field names (the spec's) to the Java fields of trot.link's messages.
 */
final class Vectors {
    static final Path FILE = Path.of("hardware/protocol/vectors.txt");

    /** One vector: its name, kind, wire bytes and the rest of its lines by key (fields, type, seq, error, expect). */
    record Vector(String name, String kind, byte[] wire, Map<String, String> values, List<String> expect) {
        String type() {
            return values.get("type");
        }

        long seq() {
            return Long.parseLong(values.get("seq"));
        }

        String error() {
            return values.get("error");
        }

        /** The payload fields (everything except type and seq). */
        Map<String, String> fields() {
            Map<String, String> f = new LinkedHashMap<>(values);
            f.remove("type");
            f.remove("seq");
            return f;
        }
    }

    private Vectors() {
    }

    static List<Vector> all() {
        List<String> lines;
        try {
            lines = Files.readAllLines(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shared test vectors at " + FILE.toAbsolutePath()
                    + " (the tests run from the project root)", e);
        }
        List<Vector> out = new ArrayList<>();
        String name = null, kind = null;
        byte[] wire = null;
        Map<String, String> values = new LinkedHashMap<>();
        List<String> expect = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1);
            switch (key) {
                case "vector" -> {
                    name = rest;
                    kind = null;
                    wire = null;
                    values = new LinkedHashMap<>();
                    expect = new ArrayList<>();
                }
                case "kind" -> kind = rest;
                case "wire" -> wire = HexFormat.of().parseHex(rest);
                case "expect" -> expect.add(rest);
                case "end" -> out.add(new Vector(name, kind, wire, values, expect));
                default -> values.put(key, rest);
            }
        }
        return out;
    }

    /** The message class of a vectors.txt type name. */
    static Message newMessage(String type) {
        return switch (type) {
            case "HELLO" -> new Hello();
            case "HELLO_ACK" -> new HelloAck();
            case "COMMAND" -> new Command();
            case "ARM" -> new Arm();
            case "STATE" -> new State();
            case "HEARTBEAT" -> new Heartbeat();
            case "ESTOP" -> new Estop();
            case "FAULT" -> new Fault();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    /** The spec's field names that are not the Java name in camel case (units added). */
    private static final Map<String, String> RENAMED = Map.of(
            "q_target", "qTarget_rad", "tau_ff", "tauFf_Nm", "gyro", "gyro_radps", "accel", "accel_mps2",
            "q", "q_rad", "dq", "dq_radps", "tau_est", "tauEst_Nm", "temp_c", "temp_C", "foot_force", "footForce_N");

    /** Java field name of a spec field name: state_period_us -> statePeriod_us, echo_host_time_us -> echoHostTime_us. */
    static String javaName(String spec) {
        String r = RENAMED.get(spec);
        if (r != null) {
            return r;
        }
        String unit = spec.endsWith("_us") ? "_us" : "";
        String[] parts = spec.substring(0, spec.length() - unit.length()).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return b.append(unit).toString();
    }

    static Field field(Message m, String spec) {
        try {
            return m.getClass().getField(javaName(spec));
        } catch (NoSuchFieldException e) {
            throw new AssertionError(m.getClass().getSimpleName() + " has no field " + javaName(spec) + " for " + spec);
        }
    }

    /** The public instance fields of a message class, by name. */
    static List<String> publicFields(Message m) {
        return Arrays.stream(m.getClass().getFields()).filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName).sorted().toList();
    }

    /** Sets a field from its vectors.txt text. */
    static void set(Message m, String spec, String text) {
        Field f = field(m, spec);
        try {
            Class<?> t = f.getType();
            if (t == int.class) {
                f.setInt(m, Integer.parseInt(text));
            } else if (t == long.class) {
                f.setLong(m, Long.parseUnsignedLong(text));
            } else if (t == float.class) {
                f.setFloat(m, Float.parseFloat(text));
            } else if (t == float[].class) {
                float[] a = (float[]) f.get(m);
                String[] v = text.split(" ");
                if (v.length != a.length) {
                    throw new AssertionError(spec + " has " + v.length + " values, " + f.getName() + " " + a.length);
                }
                for (int i = 0; i < a.length; i++) {
                    a[i] = Float.parseFloat(v[i]);
                }
            } else if (t == byte[].class) {
                ((HelloAck) m).setRobotName(text);
            } else {
                throw new AssertionError("field type " + t);
            }
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** A field as vectors.txt would compare it: integers as unsigned decimal, floats as their bits in hex. */
    static String exact(Message m, String spec) {
        Field f = field(m, spec);
        try {
            Object v = f.get(m);
            if (v instanceof Integer i) {
                return Integer.toString(i);
            } else if (v instanceof Long l) {
                return Long.toUnsignedString(l);
            } else if (v instanceof Float x) {
                return Integer.toHexString(Float.floatToRawIntBits(x));
            } else if (v instanceof float[] a) {
                StringBuilder b = new StringBuilder();
                for (float x : a) {
                    b.append(Integer.toHexString(Float.floatToRawIntBits(x))).append(' ');
                }
                return b.toString().trim();
            } else if (v instanceof byte[]) {
                return ((HelloAck) m).robotName();
            }
            throw new AssertionError("field type " + v.getClass());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** The text of a vectors.txt field in the form {@link #exact} gives. */
    static String exact(Message m, String spec, String text) {
        Field f = field(m, spec);
        Class<?> t = f.getType();
        if (t == float.class) {
            return Integer.toHexString(Float.floatToRawIntBits(Float.parseFloat(text)));
        } else if (t == float[].class) {
            StringBuilder b = new StringBuilder();
            for (String s : text.split(" ")) {
                b.append(Integer.toHexString(Float.floatToRawIntBits(Float.parseFloat(s)))).append(' ');
            }
            return b.toString().trim();
        } else if (t == long.class) {
            return Long.toUnsignedString(Long.parseUnsignedLong(text));
        }
        return text;
    }
}
