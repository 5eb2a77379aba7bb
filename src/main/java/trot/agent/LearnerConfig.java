package trot.agent;

import java.util.Arrays;
import java.util.Locale;

/**
 * Everything that distinguishes SAC, REDQ and DroQ, and the hyper-parameters they share. Start from a preset
 * ({@link #sac()}, {@link #redq()}, {@link #droq()}, or {@link #preset(String)}) and override single values with
 * {@link #with(String, String)}.
 *
 * @param preset                  name of the preset this came from (informational)
 * @param critics                 N, critics in the ensemble
 * @param targetCritics           M, critics in each target's minimum, drawn at random without replacement
 * @param updatesPerStep          G, critic updates per environment step (the update-to-data ratio)
 * @param criticDropout           dropout rate in the critics' hidden blocks (0: none)
 * @param criticLayerNorm         LayerNorm in the critics' hidden blocks
 * @param hidden                  hidden widths of actor and critics
 * @param batchSize               mini-batch size of each update
 * @param actorLearningRate       Adam learning rate of the policy
 * @param criticLearningRate      Adam learning rate of each critic
 * @param temperatureLearningRate Adam learning rate of log alpha
 * @param discount                gamma
 * @param polyakRate              tau: target <- (1 - tau) target + tau online, after every critic update
 * @param initialTemperature      alpha at the start
 * @param targetEntropyPerAction  target entropy divided by the action dimension (-1: SAC's -dim(A); -0.5: -dim(A)/2)
 * @param threads                 worker threads for the ensemble (1: all on the caller's thread)
 * @param precision               who computes the networks' matrix products: fp32 (OpenBLAS, the default), fp32-onednn,
 *                                or bf16 (bf16 factors, fp32 sums; weights, Adam and elementwise work stay fp32)
 */
public record LearnerConfig(String preset, int critics, int targetCritics, int updatesPerStep, float criticDropout,
                            boolean criticLayerNorm, int[] hidden, int batchSize, float actorLearningRate,
                            float criticLearningRate, float temperatureLearningRate, float discount, float polyakRate,
                            float initialTemperature, float targetEntropyPerAction, int threads,
                            trot.blas.Products precision) {

    /** The keys {@link #with(String, String)} accepts. */
    public static final String KEYS = "critics, target-critics, utd, dropout, layer-norm, hidden, batch, actor-lr, "
            + "critic-lr, temperature-lr, lr (all three), gamma, tau, init-temperature, target-entropy-per-action, threads, precision";

    public LearnerConfig {
        hidden = hidden.clone();
        require(critics >= 1, "critics (N) must be at least 1, got " + critics);
        require(targetCritics >= 1 && targetCritics <= critics,
                "target-critics (M) must be between 1 and critics (N = " + critics + "), got " + targetCritics);
        require(updatesPerStep >= 1, "utd (G) must be at least 1, got " + updatesPerStep);
        require(criticDropout >= 0f && criticDropout < 1f, "dropout must be in [0, 1), got " + criticDropout);
        require(hidden.length >= 1, "hidden needs at least one layer width");
        for (int h : hidden) {
            require(h >= 1, "hidden widths must be positive, got " + Arrays.toString(hidden));
        }
        require(batchSize >= 1, "batch must be at least 1, got " + batchSize);
        require(actorLearningRate > 0f && Float.isFinite(actorLearningRate), "actor-lr must be positive, got " + actorLearningRate);
        require(criticLearningRate > 0f && Float.isFinite(criticLearningRate), "critic-lr must be positive, got " + criticLearningRate);
        require(temperatureLearningRate > 0f && Float.isFinite(temperatureLearningRate),
                "temperature-lr must be positive, got " + temperatureLearningRate);
        require(discount >= 0f && discount <= 1f, "gamma must be in [0, 1], got " + discount);
        require(polyakRate > 0f && polyakRate <= 1f, "tau must be in (0, 1], got " + polyakRate);
        require(initialTemperature > 0f && Float.isFinite(initialTemperature),
                "init-temperature must be positive, got " + initialTemperature);
        require(Float.isFinite(targetEntropyPerAction), "target-entropy-per-action must be a number, got " + targetEntropyPerAction);
        require(threads >= 1, "threads must be at least 1, got " + threads);
        require(precision != null, "precision is missing");
    }

    /** Equal when every value is, the hidden widths compared element by element. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LearnerConfig c && preset.equals(c.preset) && critics == c.critics
                && targetCritics == c.targetCritics && updatesPerStep == c.updatesPerStep
                && Float.compare(criticDropout, c.criticDropout) == 0 && criticLayerNorm == c.criticLayerNorm
                && Arrays.equals(hidden, c.hidden) && batchSize == c.batchSize
                && Float.compare(actorLearningRate, c.actorLearningRate) == 0
                && Float.compare(criticLearningRate, c.criticLearningRate) == 0
                && Float.compare(temperatureLearningRate, c.temperatureLearningRate) == 0
                && Float.compare(discount, c.discount) == 0 && Float.compare(polyakRate, c.polyakRate) == 0
                && Float.compare(initialTemperature, c.initialTemperature) == 0
                && Float.compare(targetEntropyPerAction, c.targetEntropyPerAction) == 0 && threads == c.threads
                && precision == c.precision;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(preset, critics, targetCritics, updatesPerStep, criticDropout, criticLayerNorm,
                Arrays.hashCode(hidden), batchSize, actorLearningRate, criticLearningRate, temperatureLearningRate,
                discount, polyakRate, initialTemperature, targetEntropyPerAction, threads, precision);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("learner configuration: " + message);
        }
    }

    /** SAC (Haarnoja et al. 2018): two critics, one update per step, alpha starting at 1, target entropy -dim(A). */
    public static LearnerConfig sac() {
        return new LearnerConfig("sac", 2, 2, 1, 0f, false, new int[]{256, 256}, 256, 3e-4f, 3e-4f, 3e-4f,
                0.99f, 0.005f, 1.0f, -1f, defaultThreads(), trot.blas.Products.FP32);
    }

    /** REDQ (Chen et al. 2021): ten critics, the minimum over two random ones, 20 updates per step. */
    public static LearnerConfig redq() {
        return new LearnerConfig("redq", 10, 2, 20, 0f, false, new int[]{256, 256}, 256, 3e-4f, 3e-4f, 3e-4f,
                0.99f, 0.005f, 1.0f, -0.5f, defaultThreads(), trot.blas.Products.FP32);
    }

    /**
     * DroQ (Hiraoka et al. 2022), the configuration of Smith et al. 2022: two critics with dropout 0.01 and
     * LayerNorm, 20 updates per step, alpha starting at 0.1, target entropy -dim(A)/2.
     */
    public static LearnerConfig droq() {
        return new LearnerConfig("droq", 2, 2, 20, 0.01f, true, new int[]{256, 256}, 256, 3e-4f, 3e-4f, 3e-4f,
                0.99f, 0.005f, 0.1f, -0.5f, defaultThreads(), trot.blas.Products.FP32);
    }

    /** The preset called {@code name} (sac, redq or droq). */
    public static LearnerConfig preset(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sac":
                return sac();
            case "redq":
                return redq();
            case "droq":
                return droq();
            default:
                throw new IllegalArgumentException("unknown agent preset '" + name + "': choose sac, redq or droq");
        }
    }

    /** Two workers when the machine has two or more cores. */
    public static int defaultThreads() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    /** The target entropy for an action space of {@code actionSize} dimensions. */
    public float targetEntropy(int actionSize) {
        return targetEntropyPerAction * actionSize;
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /**
     * This configuration with one value replaced, by its command-line key (see {@link #KEYS}); {@code hidden}
     * takes comma-separated widths.
     *
     * @throws IllegalArgumentException for an unknown key or a value that does not parse or is out of range
     */
    public LearnerConfig with(String key, String value) {
        return withAll(java.util.Map.of(key, value));
    }

    /**
     * This configuration with several values replaced at once (validated together, so that for example
     * {@code critics=1} and {@code target-critics=1} can be set in either order).
     *
     * @throws IllegalArgumentException for an unknown key or a value that does not parse or is out of range
     */
    public LearnerConfig withAll(java.util.Map<String, String> values) {
        Builder b = new Builder(this);
        for (java.util.Map.Entry<String, String> e : values.entrySet()) {
            b.set(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /**
     * Every value by its {@link #with} key (all but {@code lr}), as text that reads back to the same value:
     * {@code LearnerConfig.preset(preset()).withAll(values())} equals this configuration.
     */
    public java.util.Map<String, String> values() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("critics", Integer.toString(critics));
        m.put("target-critics", Integer.toString(targetCritics));
        m.put("utd", Integer.toString(updatesPerStep));
        m.put("dropout", Float.toString(criticDropout));
        m.put("layer-norm", Boolean.toString(criticLayerNorm));
        m.put("hidden", Arrays.stream(hidden).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")));
        m.put("batch", Integer.toString(batchSize));
        m.put("actor-lr", Float.toString(actorLearningRate));
        m.put("critic-lr", Float.toString(criticLearningRate));
        m.put("temperature-lr", Float.toString(temperatureLearningRate));
        m.put("gamma", Float.toString(discount));
        m.put("tau", Float.toString(polyakRate));
        m.put("init-temperature", Float.toString(initialTemperature));
        m.put("target-entropy-per-action", Float.toString(targetEntropyPerAction));
        m.put("threads", Integer.toString(threads));
        m.put("precision", precision.key);
        return m;
    }

    private static void set(Builder b, String key, String value) {
        String v = value.trim();
        try {
            switch (key) {
                case "critics" -> b.critics = Integer.parseInt(v);
                case "target-critics" -> b.targetCritics = Integer.parseInt(v);
                case "utd" -> b.updatesPerStep = Integer.parseInt(v);
                case "dropout" -> b.criticDropout = Float.parseFloat(v);
                case "layer-norm" -> b.criticLayerNorm = parseBoolean(v);
                case "hidden" -> b.hidden = Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                case "batch" -> b.batchSize = Integer.parseInt(v);
                case "actor-lr" -> b.actorLearningRate = Float.parseFloat(v);
                case "critic-lr" -> b.criticLearningRate = Float.parseFloat(v);
                case "temperature-lr" -> b.temperatureLearningRate = Float.parseFloat(v);
                case "lr" -> b.actorLearningRate = b.criticLearningRate = b.temperatureLearningRate = Float.parseFloat(v);
                case "gamma" -> b.discount = Float.parseFloat(v);
                case "tau" -> b.polyakRate = Float.parseFloat(v);
                case "init-temperature" -> b.initialTemperature = Float.parseFloat(v);
                case "target-entropy-per-action" -> b.targetEntropyPerAction = Float.parseFloat(v);
                case "threads" -> b.threads = Integer.parseInt(v);
                case "precision" -> b.precision = parsePrecision(v);
                default -> throw new IllegalArgumentException("learner configuration: unknown key '" + key
                        + "'; known keys: " + KEYS);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("learner configuration: " + key + "=" + value + " is not a valid number", e);
        }
    }

    private static trot.blas.Products parsePrecision(String v) {
        try {
            return trot.blas.Products.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("learner configuration: " + e.getMessage(), e);
        }
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("off")) {
            return false;
        }
        throw new IllegalArgumentException("learner configuration: '" + v + "' is not true or false");
    }

    /** The fields of a configuration, mutable, for {@link #with}. */
    private static final class Builder {
        final String preset;
        int critics, targetCritics, updatesPerStep, batchSize, threads;
        float criticDropout, actorLearningRate, criticLearningRate, temperatureLearningRate, discount, polyakRate,
                initialTemperature, targetEntropyPerAction;
        boolean criticLayerNorm;
        int[] hidden;
        trot.blas.Products precision;

        Builder(LearnerConfig c) {
            preset = c.preset;
            critics = c.critics;
            targetCritics = c.targetCritics;
            updatesPerStep = c.updatesPerStep;
            criticDropout = c.criticDropout;
            criticLayerNorm = c.criticLayerNorm;
            hidden = c.hidden;
            batchSize = c.batchSize;
            actorLearningRate = c.actorLearningRate;
            criticLearningRate = c.criticLearningRate;
            temperatureLearningRate = c.temperatureLearningRate;
            discount = c.discount;
            polyakRate = c.polyakRate;
            initialTemperature = c.initialTemperature;
            targetEntropyPerAction = c.targetEntropyPerAction;
            threads = c.threads;
            precision = c.precision;
        }

        void set(String key, String value) {
            LearnerConfig.set(this, key, value);
        }

        LearnerConfig build() {
            return new LearnerConfig(preset, critics, targetCritics, updatesPerStep, criticDropout, criticLayerNorm,
                    hidden, batchSize, actorLearningRate, criticLearningRate, temperatureLearningRate, discount,
                    polyakRate, initialTemperature, targetEntropyPerAction, threads, precision);
        }
    }

    @Override
    public String toString() {
        return preset + ": N=" + critics + " M=" + targetCritics + " G=" + updatesPerStep + " dropout=" + criticDropout
                + " layer-norm=" + criticLayerNorm + " hidden=" + Arrays.toString(hidden) + " batch=" + batchSize
                + " lr(actor,critic,temperature)=" + actorLearningRate + "," + criticLearningRate + ","
                + temperatureLearningRate + " gamma=" + discount + " tau=" + polyakRate + " init-temperature="
                + initialTemperature + " target-entropy=" + targetEntropyPerAction + "*dim(A) threads=" + threads
                + " precision=" + precision.key;
    }
}
