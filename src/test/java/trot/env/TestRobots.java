package trot.env;

import java.nio.file.Path;

/** The robot files of the repository, for tests (run from the repository root, as Maven does). */
public final class TestRobots {
    public static final Path A1_FILE = Path.of("hardware/a1/a1.robot"), GO1_FILE = Path.of("hardware/go1/go1.robot");

    private TestRobots() {
    }

    /** The A1 of hardware/a1/a1.robot. */
    public static RobotDescription a1() {
        return RobotDescription.read(A1_FILE);
    }

    /** The A1 of hardware/a1/a1.robot on another MJCF file. */
    public static RobotDescription a1(Path model) {
        return a1().withModel(model);
    }

    /** The Go1 of hardware/go1/go1.robot. */
    public static RobotDescription go1() {
        return RobotDescription.read(GO1_FILE);
    }
}
