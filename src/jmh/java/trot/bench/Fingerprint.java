package trot.bench;

import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.nn.Param;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A CRC of every number a learner holds after a few updates (policy, every online and target critic, log alpha),
 * per preset and thread count: for a change to the update that must keep the results, run it before and after on
 * the same machine and compare. (The bits depend on the BLAS kernel OpenBLAS picks for the CPU, so the CRCs are
 * only comparable on one machine; LearnerTest checks the thread counts against each other everywhere.)
 *
 * <pre>java -cp target/jmh/benchmarks.jar -Djava.library.path=native/build trot.bench.Fingerprint [precision] [updates]</pre>
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    public static void main(String[] args) {
        String precision = args.length > 0 ? args[0] : "fp32";
        int updates = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        for (String preset : new String[]{"droq", "redq", "sac"}) {
            for (String threads : new String[]{"1", "2"}) {
                LearnerConfig config = LearnerConfig.preset(preset).withAll(Map.of("threads", threads, "precision", precision));
                try (Learner learner = new Learner(config, 48, 12, 7)) {
                    var replay = LearnerBenchmarks.filledReplay();
                    for (int i = 0; i < updates; i++) {
                        learner.update(replay);
                    }
                    List<Param> all = new ArrayList<>(learner.policyParams());
                    for (int i = 0; i < config.critics(); i++) {
                        all.addAll(learner.criticParams(i));
                        all.addAll(learner.targetCriticParams(i));
                    }
                    all.add(learner.logAlpha());
                    CRC32 crc = new CRC32();
                    for (Param p : all) {
                        for (float f : p.value.data) {
                            int bits = Float.floatToRawIntBits(f);
                            crc.update(bits);
                            crc.update(bits >>> 8);
                            crc.update(bits >>> 16);
                            crc.update(bits >>> 24);
                        }
                    }
                    System.out.printf("%s %s thread(s) %s, %d updates: %08x%n", preset, threads, precision, updates,
                            crc.getValue());
                }
            }
        }
    }
}
