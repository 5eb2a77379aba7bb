package trot.link;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Random;

/** Fills a message's fields with random values within their wire ranges (tests only). */
final class Randomize {
    private Randomize() {
    }

    static void fill(Message m, Random r) {
        try {
            for (Field f : m.getClass().getFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                String name = f.getName();
                if (t == int.class) {
                    boolean u16 = name.equals("protocolVersion");
                    f.setInt(m, r.nextInt(u16 ? 65536 : 256));
                } else if (t == long.class) {
                    boolean u64 = name.endsWith("_us") && !name.equals("statePeriod_us") && !name.equals("interp_us");
                    f.setLong(m, u64 ? r.nextLong() : r.nextInt() & 0xFFFF_FFFFL);
                } else if (t == float.class) {
                    f.setFloat(m, Float.intBitsToFloat(r.nextInt()));
                } else if (t == float[].class) {
                    float[] a = (float[]) f.get(m);
                    for (int i = 0; i < a.length; i++) {
                        a[i] = Float.intBitsToFloat(r.nextInt());
                    }
                } else if (t == byte[].class) {
                    r.nextBytes((byte[]) f.get(m));
                }
            }
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    static void copy(Message to, Message from) {
        try {
            Method copy = to.getClass().getMethod("copyFrom", to.getClass());
            copy.invoke(to, from);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
