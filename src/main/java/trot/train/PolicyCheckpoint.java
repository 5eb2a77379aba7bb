package trot.train;

import trot.env.EnvSpec;
import trot.io.Checkpoint;
import trot.nn.Param;
import trot.nn.TanhGaussianPolicy;
import trot.util.Rng;
import org.jblas.FloatMatrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The policy file a training run writes ({@code policy.ckpt}): the actor's parameters, and as metadata what is
 * needed to rebuild it (sizes, hidden widths) and where it came from (preset, environment, step, seed). One place
 * for the format, so the writer and the readers cannot drift apart.
 */
public final class PolicyCheckpoint {
    private PolicyCheckpoint() {
    }

    /** A loaded policy, batch 1, with the metadata it was saved with. */
    public record Loaded(TanhGaussianPolicy policy, String environment, String step, Map<String, String> meta) {

        /**
         * The deterministic controller {@code a = tanh(mu(s))} for evaluation, with its own input buffer (one per
         * evaluation: not for concurrent use).
         */
        public Evaluator.Controller deterministic() {
            int no = policy.observationSize(), na = policy.actionSize();
            FloatMatrix o = new FloatMatrix(1, no);
            return (obs, action) -> {
                System.arraycopy(obs, 0, o.data, 0, no);
                policy.deterministic(o);
                System.arraycopy(policy.action().data, 0, action, 0, na);
            };
        }
    }

    /** Writes the policy {@code params} (atomically, see {@link Checkpoint#save}). */
    public static void save(Path file, List<Param> params, String preset, EnvSpec spec, int[] hidden, long step, long seed)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", "policy");
        meta.put("preset", preset);
        meta.put("environment", spec.name());
        meta.put("observation_size", Integer.toString(spec.observationSize()));
        meta.put("action_size", Integer.toString(spec.actionSize()));
        meta.put("hidden", Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        meta.put("step", Long.toString(step));
        meta.put("seed", Long.toString(seed));
        Checkpoint.save(file, meta, params);
    }

    /**
     * Reads a policy written by {@link #save}.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     * @throws IOException                       when it cannot be read or is corrupt
     * @throws IllegalArgumentException          when it is not a policy checkpoint, or its metadata or tensors do
     *                                           not fit together; the message says which
     */
    public static Loaded load(Path file) throws IOException {
        Checkpoint ckpt = Checkpoint.read(file);
        if (!"policy".equals(ckpt.meta().get("kind"))) {
            throw new IllegalArgumentException(file + " is not a policy checkpoint (kind=" + ckpt.meta().get("kind")
                    + "); pass the policy.ckpt a training run wrote");
        }
        int observations, actions;
        int[] hidden;
        try {
            observations = Integer.parseInt(ckpt.meta("observation_size"));
            actions = Integer.parseInt(ckpt.meta("action_size"));
            hidden = Arrays.stream(ckpt.meta("hidden").split(",")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": unreadable sizes in the metadata (" + e.getMessage() + ")");
        }
        TanhGaussianPolicy pi = new TanhGaussianPolicy(observations, actions, hidden, 1, new Rng(0), new Rng(0));
        ckpt.loadInto(pi.params());
        return new Loaded(pi, ckpt.meta("environment"), ckpt.meta().getOrDefault("step", "unknown"), ckpt.meta());
    }
}
