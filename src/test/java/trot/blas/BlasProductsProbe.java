package trot.blas;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.jblas.NativeBlas;

/**
 * A fixed set of BLAS products, computed through {@code org.jblas.NativeBlas} (whichever library
 * backs it in this JVM) and, independently, by plain double-precision loops.
 *
 * <p>{@link BlasBackendTest} runs {@link #main} in a child JVM on jblas's bundled library and
 * compares its file with the products computed in the test's own JVM on the native library.
 * Operands come from seeded {@link Random}s, so both JVMs see the same numbers. Each product's
 * result is the whole output array, padding included: a product that writes outside its
 * offsets and leading dimensions shows up as a difference there.
 */
public final class BlasProductsProbe {

    /** A named result; {@code tolerance} is relative to the largest magnitude in the result. */
    public record Product(String name, double tolerance, double[] values) {
    }

    /** Results of one JVM: its backend and the products in {@link #cases()} order. */
    public record Results(String backend, String description, List<Product> products) {
    }

    /** One product: through BLAS, or through the reference loops. */
    interface Case {
        String name();

        /** Relative tolerance: 1e-5 for float, 1e-12 for double, 0 for integer results. */
        double tolerance();

        double[] viaBlas();

        double[] reference();
    }

    static final long SEED = 0x7407_2024L;

    private BlasProductsProbe() {
    }

    /** Writes this JVM's BLAS products to the file named by the first argument. */
    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]),
                new Results(BlasBackend.active().name(), BlasBackend.describe(), viaBlas()));
    }

    static List<Product> viaBlas() {
        List<Product> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(new Product(c.name(), c.tolerance(), c.viaBlas()));
        }
        return out;
    }

    static List<Product> reference() {
        List<Product> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(new Product(c.name(), c.tolerance(), c.reference()));
        }
        return out;
    }

    static void write(Path file, Results results) throws IOException {
        try (DataOutputStream out = new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeUTF(results.backend());
            out.writeUTF(results.description());
            out.writeInt(results.products().size());
            for (Product p : results.products()) {
                out.writeUTF(p.name());
                out.writeDouble(p.tolerance());
                out.writeInt(p.values().length);
                for (double v : p.values()) {
                    out.writeDouble(v);
                }
            }
        }
    }

    static Results read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(file)))) {
            String backend = in.readUTF();
            String description = in.readUTF();
            int count = in.readInt();
            List<Product> products = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                double tolerance = in.readDouble();
                double[] values = new double[in.readInt()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = in.readDouble();
                }
                products.add(new Product(name, tolerance, values));
            }
            return new Results(backend, description, products);
        }
    }

    // -------------------------------------------------------------------------------------------
    // The cases

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // sgemm, m x k times k x n, on the engine's shapes.
        int[][] shapes = {
            {256, 256, 60},   // 256x60 . 60x256
            {256, 256, 256},  // 256^3
            {256, 1, 256},    // 256x256 . 256x1
            {256, 24, 256},   // 256x256 . 256x24
            {256, 256, 1},    // outer product 256x1 . 1x256
        };
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            cases.add(new Gemm(false, 'N', 'N', m, n, k, 1f, 0f, 0, 0, 0, 0, 0, 0));
            for (char ta : new char[] {'N', 'T'}) {
                for (char tb : new char[] {'N', 'T'}) {
                    cases.add(new Gemm(false, ta, tb, m, n, k, 0.75f, -0.5f, 3, 4, 5, 1, 7, 2));
                }
            }
        }
        cases.add(new Gemm(true, 'T', 'N', 64, 48, 32, 0.75f, -0.5f, 3, 4, 5, 1, 7, 2));
        cases.add(new Gemm(true, 'N', 'T', 64, 48, 32, 1f, 0f, 0, 0, 0, 0, 0, 0));

        for (boolean dbl : new boolean[] {false, true}) {
            for (char t : new char[] {'N', 'T'}) {
                cases.add(new Gemv(dbl, t, 256, 48, 1f, 0f, 0, 0, 0, 1, 0, 1));
                cases.add(new Gemv(dbl, t, 256, 256, 1.5f, 0.25f, 5, 4, 3, 2, 1, 3));
            }
            cases.add(new Ger(dbl, 256, 256, 1f, 0, 1, 0, 1, 0, 0));
            cases.add(new Ger(dbl, 256, 60, 0.5f, 1, 1, 2, 2, 3, 3));
            cases.add(new Level1(dbl, "axpy", 1000, 0.3f, 0, 1, 0, 1));
            cases.add(new Level1(dbl, "axpy", 300, -1.25f, 2, 2, 1, 3));
            cases.add(new Level1(dbl, "axpy", 300, 0.5f, 1, -2, 3, 1));
            cases.add(new Level1(dbl, "scal", 1000, 0.3f, 0, 1, 0, 1));
            cases.add(new Level1(dbl, "scal", 500, -2.5f, 1, 2, 0, 1));
            cases.add(new Level1(dbl, "copy", 300, 0f, 2, 3, 1, 1));
            cases.add(new Level1(dbl, "swap", 200, 0f, 1, 2, 2, -3));
            cases.add(new Level1(dbl, "dot", 256, 0f, 0, 1, 0, 1));
            cases.add(new Level1(dbl, "dot", 100, 0f, 3, 2, 1, -1));
            cases.add(new Level1(dbl, "nrm2", 300, 0f, 2, 3, 0, 1));
            cases.add(new Level1(dbl, "asum", 300, 0f, 2, 3, 0, 1));
            cases.add(new Level1(dbl, "iamax", 300, 0f, 2, 3, 0, 1));
        }
        return cases;
    }

    /** Index of the i-th element of a strided vector, BLAS style (negative inc runs backwards). */
    static int at(int offset, int i, int n, int inc) {
        return offset + (inc >= 0 ? i * inc : (n - 1 - i) * -inc);
    }

    static float[] randomFloats(String name, String operand, int length) {
        Random r = new Random(SEED ^ ((long) name.hashCode() << 20) ^ operand.hashCode());
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    static double[] randomDoubles(String name, String operand, int length) {
        Random r = new Random(SEED ^ ((long) name.hashCode() << 20) ^ operand.hashCode());
        double[] a = new double[length];
        for (int i = 0; i < length; i++) {
            a[i] = 2 * r.nextDouble() - 1;
        }
        return a;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Operands in float or double; the reference always computes in double. */
    abstract static class Base implements Case {
        final boolean dbl;
        final String name;

        Base(boolean dbl, String name) {
            this.dbl = dbl;
            this.name = (dbl ? "d" : "s") + name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public double tolerance() {
            return dbl ? 1e-12 : 1e-5;
        }

        /** The operand as the BLAS call sees it, widened to double. */
        double[] operand(String operand, int length) {
            return dbl ? randomDoubles(name, operand, length)
                    : widen(randomFloats(name, operand, length));
        }

        float[] floats(String operand, int length) {
            return randomFloats(name, operand, length);
        }

        double[] doubles(String operand, int length) {
            return randomDoubles(name, operand, length);
        }
    }

    /** C = alpha op(A) op(B) + beta C with offsets and leading-dimension padding. */
    static final class Gemm extends Base {
        final char ta;
        final char tb;
        final int m;
        final int n;
        final int k;
        final float alpha;
        final float beta;
        final int aOff;
        final int aPad;
        final int bOff;
        final int bPad;
        final int cOff;
        final int cPad;
        final int rowsA;
        final int colsA;
        final int rowsB;
        final int colsB;
        final int lda;
        final int ldb;
        final int ldc;

        Gemm(boolean dbl, char ta, char tb, int m, int n, int k, float alpha, float beta,
             int aOff, int aPad, int bOff, int bPad, int cOff, int cPad) {
            super(dbl, String.format("gemm %c%c %dx%d.%dx%d alpha=%s beta=%s off=%d,%d,%d pad=%d,%d,%d",
                    ta, tb, m, k, k, n, alpha, beta, aOff, bOff, cOff, aPad, bPad, cPad));
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            this.aOff = aOff;
            this.aPad = aPad;
            this.bOff = bOff;
            this.bPad = bPad;
            this.cOff = cOff;
            this.cPad = cPad;
            rowsA = ta == 'N' ? m : k;
            colsA = ta == 'N' ? k : m;
            rowsB = tb == 'N' ? k : n;
            colsB = tb == 'N' ? n : k;
            lda = rowsA + aPad;
            ldb = rowsB + bPad;
            ldc = m + cPad;
        }

        int lenA() {
            return aOff + lda * colsA + 2;
        }

        int lenB() {
            return bOff + ldb * colsB + 2;
        }

        int lenC() {
            return cOff + ldc * n + 2;
        }

        @Override
        public double[] viaBlas() {
            if (dbl) {
                double[] c = doubles("c", lenC());
                NativeBlas.dgemm(ta, tb, m, n, k, alpha, doubles("a", lenA()), aOff, lda,
                        doubles("b", lenB()), bOff, ldb, beta, c, cOff, ldc);
                return c;
            }
            float[] c = floats("c", lenC());
            NativeBlas.sgemm(ta, tb, m, n, k, alpha, floats("a", lenA()), aOff, lda,
                    floats("b", lenB()), bOff, ldb, beta, c, cOff, ldc);
            return widen(c);
        }

        @Override
        public double[] reference() {
            double[] a = operand("a", lenA());
            double[] b = operand("b", lenB());
            double[] c = operand("c", lenC());
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        double x = ta == 'N' ? a[aOff + i + l * lda] : a[aOff + l + i * lda];
                        double y = tb == 'N' ? b[bOff + l + j * ldb] : b[bOff + j + l * ldb];
                        sum += x * y;
                    }
                    int ci = cOff + i + j * ldc;
                    c[ci] = alpha * sum + (beta == 0 ? 0 : beta * c[ci]);
                }
            }
            return c;
        }
    }

    /** y = alpha op(A) x + beta y, A m x n. */
    static final class Gemv extends Base {
        final char t;
        final int m;
        final int n;
        final float alpha;
        final float beta;
        final int aOff;
        final int aPad;
        final int xOff;
        final int incx;
        final int yOff;
        final int incy;
        final int lda;
        final int lenX;
        final int lenY;

        Gemv(boolean dbl, char t, int m, int n, float alpha, float beta, int aOff, int aPad,
             int xOff, int incx, int yOff, int incy) {
            super(dbl, String.format("gemv %c %dx%d alpha=%s beta=%s off=%d,%d,%d pad=%d inc=%d,%d",
                    t, m, n, alpha, beta, aOff, xOff, yOff, aPad, incx, incy));
            this.t = t;
            this.m = m;
            this.n = n;
            this.alpha = alpha;
            this.beta = beta;
            this.aOff = aOff;
            this.aPad = aPad;
            this.xOff = xOff;
            this.incx = incx;
            this.yOff = yOff;
            this.incy = incy;
            this.lda = m + aPad;
            this.lenX = t == 'N' ? n : m;
            this.lenY = t == 'N' ? m : n;
        }

        int lenA() {
            return aOff + lda * n + 1;
        }

        int arrX() {
            return xOff + (lenX - 1) * Math.abs(incx) + 2;
        }

        int arrY() {
            return yOff + (lenY - 1) * Math.abs(incy) + 2;
        }

        @Override
        public double[] viaBlas() {
            if (dbl) {
                double[] y = doubles("y", arrY());
                NativeBlas.dgemv(t, m, n, alpha, doubles("a", lenA()), aOff, lda,
                        doubles("x", arrX()), xOff, incx, beta, y, yOff, incy);
                return y;
            }
            float[] y = floats("y", arrY());
            NativeBlas.sgemv(t, m, n, alpha, floats("a", lenA()), aOff, lda,
                    floats("x", arrX()), xOff, incx, beta, y, yOff, incy);
            return widen(y);
        }

        @Override
        public double[] reference() {
            double[] a = operand("a", lenA());
            double[] x = operand("x", arrX());
            double[] y = operand("y", arrY());
            for (int i = 0; i < lenY; i++) {
                double sum = 0;
                for (int l = 0; l < lenX; l++) {
                    double aa = t == 'N' ? a[aOff + i + l * lda] : a[aOff + l + i * lda];
                    sum += aa * x[at(xOff, l, lenX, incx)];
                }
                int yi = at(yOff, i, lenY, incy);
                y[yi] = alpha * sum + (beta == 0 ? 0 : beta * y[yi]);
            }
            return y;
        }
    }

    /** A += alpha x y^T, A m x n. */
    static final class Ger extends Base {
        final int m;
        final int n;
        final float alpha;
        final int xOff;
        final int incx;
        final int yOff;
        final int incy;
        final int aOff;
        final int aPad;
        final int lda;

        Ger(boolean dbl, int m, int n, float alpha, int xOff, int incx, int yOff, int incy,
            int aOff, int aPad) {
            super(dbl, String.format("ger %dx%d alpha=%s off=%d,%d,%d inc=%d,%d pad=%d",
                    m, n, alpha, xOff, yOff, aOff, incx, incy, aPad));
            this.m = m;
            this.n = n;
            this.alpha = alpha;
            this.xOff = xOff;
            this.incx = incx;
            this.yOff = yOff;
            this.incy = incy;
            this.aOff = aOff;
            this.aPad = aPad;
            this.lda = m + aPad;
        }

        int arrX() {
            return xOff + (m - 1) * Math.abs(incx) + 1;
        }

        int arrY() {
            return yOff + (n - 1) * Math.abs(incy) + 1;
        }

        int lenA() {
            return aOff + lda * n + 2;
        }

        @Override
        public double[] viaBlas() {
            if (dbl) {
                double[] a = doubles("a", lenA());
                NativeBlas.dger(m, n, alpha, doubles("x", arrX()), xOff, incx,
                        doubles("y", arrY()), yOff, incy, a, aOff, lda);
                return a;
            }
            float[] a = floats("a", lenA());
            NativeBlas.sger(m, n, alpha, floats("x", arrX()), xOff, incx,
                    floats("y", arrY()), yOff, incy, a, aOff, lda);
            return widen(a);
        }

        @Override
        public double[] reference() {
            double[] x = operand("x", arrX());
            double[] y = operand("y", arrY());
            double[] a = operand("a", lenA());
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    a[aOff + i + j * lda] += alpha * x[at(xOff, i, m, incx)] * y[at(yOff, j, n, incy)];
                }
            }
            return a;
        }
    }

    /** axpy, scal, copy, swap (results: the arrays written) and dot, nrm2, asum, iamax (one value). */
    static final class Level1 extends Base {
        final String op;
        final int n;
        final float alpha;
        final int xOff;
        final int incx;
        final int yOff;
        final int incy;

        Level1(boolean dbl, String op, int n, float alpha, int xOff, int incx, int yOff, int incy) {
            super(dbl, String.format("%s n=%d alpha=%s off=%d,%d inc=%d,%d",
                    op, n, alpha, xOff, yOff, incx, incy));
            this.op = op;
            this.n = n;
            this.alpha = alpha;
            this.xOff = xOff;
            this.incx = incx;
            this.yOff = yOff;
            this.incy = incy;
        }

        @Override
        public double tolerance() {
            return op.equals("iamax") ? 0 : super.tolerance();
        }

        int arrX() {
            return xOff + (n - 1) * Math.abs(incx) + 2;
        }

        int arrY() {
            return yOff + (n - 1) * Math.abs(incy) + 2;
        }

        @Override
        public double[] viaBlas() {
            return dbl ? viaDouble() : viaFloat();
        }

        private double[] viaFloat() {
            float[] x = floats("x", arrX());
            float[] y = floats("y", arrY());
            switch (op) {
                case "axpy":
                    NativeBlas.saxpy(n, alpha, x, xOff, incx, y, yOff, incy);
                    return widen(y);
                case "scal":
                    NativeBlas.sscal(n, alpha, x, xOff, incx);
                    return widen(x);
                case "copy":
                    NativeBlas.scopy(n, x, xOff, incx, y, yOff, incy);
                    return widen(y);
                case "swap":
                    NativeBlas.sswap(n, x, xOff, incx, y, yOff, incy);
                    return concat(widen(x), widen(y));
                case "dot":
                    return new double[] {NativeBlas.sdot(n, x, xOff, incx, y, yOff, incy)};
                case "nrm2":
                    return new double[] {NativeBlas.snrm2(n, x, xOff, incx)};
                case "asum":
                    return new double[] {NativeBlas.sasum(n, x, xOff, incx)};
                case "iamax":
                    return new double[] {NativeBlas.isamax(n, x, xOff, incx)};
                default:
                    throw new IllegalStateException(op);
            }
        }

        private double[] viaDouble() {
            double[] x = doubles("x", arrX());
            double[] y = doubles("y", arrY());
            switch (op) {
                case "axpy":
                    NativeBlas.daxpy(n, alpha, x, xOff, incx, y, yOff, incy);
                    return y;
                case "scal":
                    NativeBlas.dscal(n, alpha, x, xOff, incx);
                    return x;
                case "copy":
                    NativeBlas.dcopy(n, x, xOff, incx, y, yOff, incy);
                    return y;
                case "swap":
                    NativeBlas.dswap(n, x, xOff, incx, y, yOff, incy);
                    return concat(x, y);
                case "dot":
                    return new double[] {NativeBlas.ddot(n, x, xOff, incx, y, yOff, incy)};
                case "nrm2":
                    return new double[] {NativeBlas.dnrm2(n, x, xOff, incx)};
                case "asum":
                    return new double[] {NativeBlas.dasum(n, x, xOff, incx)};
                case "iamax":
                    return new double[] {NativeBlas.idamax(n, x, xOff, incx)};
                default:
                    throw new IllegalStateException(op);
            }
        }

        @Override
        public double[] reference() {
            double[] x = operand("x", arrX());
            double[] y = operand("y", arrY());
            double sum = 0;
            switch (op) {
                case "axpy":
                    for (int i = 0; i < n; i++) {
                        y[at(yOff, i, n, incy)] += alpha * x[at(xOff, i, n, incx)];
                    }
                    return y;
                case "scal":
                    for (int i = 0; i < n; i++) {
                        x[at(xOff, i, n, incx)] *= alpha;
                    }
                    return x;
                case "copy":
                    for (int i = 0; i < n; i++) {
                        y[at(yOff, i, n, incy)] = x[at(xOff, i, n, incx)];
                    }
                    return y;
                case "swap":
                    for (int i = 0; i < n; i++) {
                        int xi = at(xOff, i, n, incx);
                        int yi = at(yOff, i, n, incy);
                        double t = x[xi];
                        x[xi] = y[yi];
                        y[yi] = t;
                    }
                    return concat(x, y);
                case "dot":
                    for (int i = 0; i < n; i++) {
                        sum += x[at(xOff, i, n, incx)] * y[at(yOff, i, n, incy)];
                    }
                    return new double[] {sum};
                case "nrm2":
                    for (int i = 0; i < n; i++) {
                        double v = x[at(xOff, i, n, incx)];
                        sum += v * v;
                    }
                    return new double[] {Math.sqrt(sum)};
                case "asum":
                    for (int i = 0; i < n; i++) {
                        sum += Math.abs(x[at(xOff, i, n, incx)]);
                    }
                    return new double[] {sum};
                case "iamax":
                    int best = 0;
                    for (int i = 1; i < n; i++) {
                        if (Math.abs(x[at(xOff, i, n, incx)]) > Math.abs(x[at(xOff, best, n, incx)])) {
                            best = i;
                        }
                    }
                    return new double[] {best + 1}; // BLAS's 1-based index
                default:
                    throw new IllegalStateException(op);
            }
        }

        private static double[] concat(double[] a, double[] b) {
            double[] c = new double[a.length + b.length];
            System.arraycopy(a, 0, c, 0, a.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }
}
