package trot.cli;

import trot.env.Environment;
import trot.env.classic.Pendulum;
import trot.env.sim.A1Walk;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The environments the command line knows, with the training defaults that suit each. */
enum Tasks {
    /** The paper's task: the Unitree A1 learning to walk at 0.5 m/s in MuJoCo; 24,000 steps are its 20 minutes. */
    A1("a1", "A1Walk", 24_000, 1_000, 2_000, 5, 4_000) {
        @Override
        Environment create(Path robot, Path model, Map<String, String> options) {
            A1Walk.Config config = a1Config(robotDescription(robot, model), options);
            boolean estimated = options.getOrDefault("velocity", "true").trim().equalsIgnoreCase("estimated");
            boolean angular = options.getOrDefault("angular-term", "true").trim().equalsIgnoreCase("true");
            return estimated ? new A1Walk(config, A1Walk.Velocity.ESTIMATED,
                    trot.env.estimation.VelocityEstimator.Config.reference().withAngularTerm(angular)) : new A1Walk(config);
        }
    },
    /** The classic pendulum swing-up (pure Java), a quick check of a learner. */
    PENDULUM("pendulum", "Pendulum", 6_000, 1_000, 500, 5, 1_000) {
        @Override
        Environment create(Path robot, Path model, Map<String, String> options) {
            if (model != null || robot != null) {
                throw new IllegalArgumentException("the pendulum has no robot or model file; --robot and --model are for"
                        + " the a1 task (any quadruped with a robot file)");
            }
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("the pendulum has no task options; --set " + options.keySet().iterator().next()
                        + "=... is for the a1 task");
            }
            return new Pendulum();
        }
    },
    /**
     * The walking task on a real A1 (or the emulated one) over a serial port: {@code trot robot --port PATH}. Its
     * 24,000 steps are the paper's 20 minutes of real time; evaluations are fewer and shorter than in simulation
     * because each one takes the robot's time (and its resets).
     */
    ROBOT("robot", trot.env.robot.A1Robot.NAME, 24_000, 1_000, 6_000, 3, 0) {
        @Override
        Environment create(Path robot, Path model, Map<String, String> options) {
            throw new IllegalArgumentException("the robot task runs on a robot, not in a simulator: use trot robot --port"
                    + " PATH (start an emulated one with trot emulate)");
        }
    };

    /** The task options the robot takes (the rest are the simulation's). */
    static final List<String> ROBOT_OPTIONS = List.of("action_filter");

    /** The robot's configuration with its task options applied. */
    static trot.env.robot.RobotConfig robotConfig(Map<String, String> options, int episodeSteps) {
        checkRobotOptions(options);
        boolean filter = options.getOrDefault("action_filter", "none").trim().equalsIgnoreCase("butterworth");
        return trot.env.robot.RobotConfig.defaults().withMaxEpisodeSteps(episodeSteps).withActionFilter(filter);
    }

    private static void checkRobotOptions(Map<String, String> options) {
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (!ROBOT_OPTIONS.contains(e.getKey())) {
                throw new IllegalArgumentException("--set " + e.getKey() + "=...: the robot task takes only " + ROBOT_OPTIONS
                        + " (reward, terrain and velocity are the simulation's; the robot always uses its velocity estimator)");
            }
            List<String> choices = OPTIONS.get(e.getKey());
            if (!choices.contains(e.getValue().trim().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("--set " + e.getKey() + "=" + e.getValue() + ": choose "
                        + String.join(", ", choices));
            }
        }
    }

    /**
     * The task options ({@code --set KEY=VALUE}) and their values, first the default:
     * {@code reward=paper|paper-literal|reference}, {@code terrain=mix|flat|reference},
     * {@code action_filter=none|butterworth}, {@code velocity=true|estimated} (the simulator's velocimeter, or the
     * real robot's Kalman filter {@link trot.env.estimation.VelocityEstimator} for the observation and the reward),
     * {@code angular-term=true|false} (whether the estimator's leg measurement includes {@code -omega x r}).
     * Every key is the a1 task's.
     */
    static final Map<String, List<String>> OPTIONS = optionTable();

    private static Map<String, List<String>> optionTable() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("reward", List.of("paper", "paper-literal", "reference"));
        m.put("terrain", List.of("mix", "flat", "reference"));
        m.put("action_filter", List.of("none", "butterworth"));
        m.put("velocity", List.of("true", "estimated"));
        m.put("angular-term", List.of("true", "false"));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** "reward=paper|paper-literal|reference, terrain=..." for help texts and errors. */
    static String optionsHelp() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> e : OPTIONS.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(String.join("|", e.getValue()));
        }
        return b.toString();
    }

    /** Whether {@code key} names a task option rather than a learner value. */
    static boolean isTaskOption(String key) {
        return OPTIONS.containsKey(key);
    }

    /**
     * The paper's walking task on {@code robot} with the task options applied (an absent option keeps its default).
     *
     * @throws IllegalArgumentException for an unknown key or value, naming the choices
     */
    static A1Walk.Config a1Config(trot.env.RobotDescription robot, Map<String, String> options) {
        checkA1Options(options);
        A1Walk.Config c = A1Walk.Config.paper(robot);
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey(), value = e.getValue().trim().toLowerCase(Locale.ROOT);
            c = switch (key) {
                case "reward" -> c.withReward(switch (value) {
                    case "paper" -> A1Walk.Reward.PAPER;
                    case "paper-literal" -> A1Walk.Reward.PAPER_LITERAL;
                    default -> A1Walk.Reward.REFERENCE;
                });
                case "terrain" -> c.withTerrain(switch (value) {
                    case "mix" -> A1Walk.Terrain.defaults();
                    case "flat" -> A1Walk.Terrain.flat();
                    default -> A1Walk.Terrain.reference();
                });
                case "action_filter" -> c.withActionFilter(value.equals("butterworth")
                        ? A1Walk.ActionFilter.BUTTERWORTH : A1Walk.ActionFilter.NONE);
                // The velocity source is a constructor argument of A1Walk, not part of its Config: read in create.
                case "velocity", "angular-term" -> c;
                default -> throw new IllegalStateException("task option " + key + " has no parser");
            };
        }
        return c;
    }

    /** @throws IllegalArgumentException for a task option the a1 task does not know or a value it does not take */
    private static void checkA1Options(Map<String, String> options) {
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey(), value = e.getValue().trim().toLowerCase(Locale.ROOT);
            List<String> choices = OPTIONS.get(key);
            if (choices == null) {
                throw new IllegalArgumentException("unknown task option '" + key + "'; the a1 task knows " + optionsHelp());
            }
            if (!choices.contains(value)) {
                throw new IllegalArgumentException("--set " + key + "=" + e.getValue() + ": unknown " + key + "; choose "
                        + String.join(", ", choices) + " (default " + choices.get(0) + ")");
            }
        }
    }

    /** hardware/a1/a1.xml under trot's home directory (set by ./trot as trot.home; else the working directory). */
    static Path defaultA1Model() {
        return home().resolve(Path.of("hardware", "a1", "a1.xml"));
    }

    /** hardware/a1/a1.robot under trot's home directory: the robot of every command that is given no --robot. */
    static Path defaultRobot() {
        return home().resolve(Path.of("hardware", "a1", "a1.robot"));
    }

    private static Path home() {
        return Path.of(System.getProperty("trot.home", "."));
    }

    /**
     * The robot of a command: the file {@code robot} ({@link #defaultRobot()} when null), on the MJCF file
     * {@code model} when one is given ({@code --model}: the robot file's names must be in it).
     *
     * @throws IllegalArgumentException when the file cannot be read or is not a valid robot file (what and where)
     */
    static trot.env.RobotDescription robotDescription(Path robot, Path model) {
        trot.env.RobotDescription r = trot.env.RobotDescription.read(robot != null ? robot : defaultRobot());
        return model != null ? r.withModel(model) : r;
    }

    final String id;
    /** The environment's {@link trot.env.EnvSpec#name()}, which checkpoints record. */
    final String specName;
    final long defaultSteps;
    final long defaultRandomSteps;
    final long defaultEvalInterval;
    final int defaultEvalEpisodes;
    final long defaultQBiasInterval;

    Tasks(String id, String specName, long defaultSteps, long defaultRandomSteps, long defaultEvalInterval,
          int defaultEvalEpisodes, long defaultQBiasInterval) {
        this.id = id;
        this.specName = specName;
        this.defaultSteps = defaultSteps;
        this.defaultRandomSteps = defaultRandomSteps;
        this.defaultEvalInterval = defaultEvalInterval;
        this.defaultEvalEpisodes = defaultEvalEpisodes;
        this.defaultQBiasInterval = defaultQBiasInterval;
    }

    /**
     * A new, unseeded instance; {@code robot} is the robot file of a MuJoCo task (null: {@link #defaultRobot()}),
     * {@code model} replaces its MJCF file (null: the robot file's); {@code options} are task options
     * ({@link #OPTIONS}), each absent one at its default.
     */
    abstract Environment create(Path robot, Path model, Map<String, String> options);

    /** {@link #create(Path, Path, Map)} on the default robot file. */
    Environment create(Path model, Map<String, String> options) {
        return create(null, model, options);
    }

    /**
     * Checks task options without creating anything (no simulator is loaded).
     *
     * @throws IllegalArgumentException for an option this task does not know or a value it does not take
     */
    void checkOptions(Map<String, String> options) {
        if (this == A1) {
            checkA1Options(options);
        } else if (this == ROBOT) {
            checkRobotOptions(options);
        } else if (!options.isEmpty()) {
            throw new IllegalArgumentException("the " + id + " task has no task options; --set "
                    + options.keySet().iterator().next() + "=... is for the a1 task");
        }
    }

    /** {@link #create(Path, Map)} with every task option at its default. */
    Environment create(Path model) {
        return create(model, Map.of());
    }

    static Tasks byName(String name) {
        for (Tasks t : values()) {
            if (t.id.equals(name.toLowerCase(Locale.ROOT)) || t.specName.equals(name)) {
                return t;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Tasks t : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(t.id);
        }
        throw new IllegalArgumentException("unknown environment '" + name + "': choose one of " + known);
    }
}
