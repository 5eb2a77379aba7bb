package trot.cli;

import org.junit.jupiter.api.Test;
import trot.env.sim.A1Walk;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The a1 task options: each value sets what it names, absent ones keep the paper's defaults, bad ones say why. */
class TasksTest {
    static final trot.env.RobotDescription A1 = trot.env.TestRobots.a1();

    @Test
    void noOptionsIsThePapersConfiguration() {
        assertEquals(A1Walk.Config.paper(A1), Tasks.a1Config(A1, Map.of()));
    }

    @Test
    void theDefaultRobotIsTheA1FileAndAModelReplacesOnlyItsMjcf() {
        assertEquals(trot.env.RobotDescription.read(Tasks.defaultRobot()), Tasks.robotDescription(null, null));
        java.nio.file.Path other = java.nio.file.Path.of("elsewhere/a1.xml");
        trot.env.RobotDescription r = Tasks.robotDescription(null, other);
        assertEquals(other, r.model());
        assertEquals(trot.env.RobotDescription.read(Tasks.defaultRobot()).withModel(other), r);
        assertEquals(A1.joints(), r.joints());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tasks.robotDescription(java.nio.file.Path.of("no/such.robot"), null));
        assertTrue(e.getMessage().contains("no robot file") && e.getMessage().contains("hardware/a1/a1.robot"), e.getMessage());
    }

    @Test
    void everyValueSetsWhatItNames() {
        assertEquals(A1Walk.Reward.PAPER, Tasks.a1Config(A1, Map.of("reward", "paper")).reward());
        assertEquals(A1Walk.Reward.PAPER_LITERAL, Tasks.a1Config(A1, Map.of("reward", "paper-literal")).reward());
        assertEquals(A1Walk.Reward.REFERENCE, Tasks.a1Config(A1, Map.of("reward", "Reference")).reward());
        assertEquals(A1Walk.Terrain.defaults(), Tasks.a1Config(A1, Map.of("terrain", "mix")).terrain());
        assertEquals(A1Walk.Terrain.flat(), Tasks.a1Config(A1, Map.of("terrain", "flat")).terrain());
        assertEquals(A1Walk.Terrain.reference(), Tasks.a1Config(A1, Map.of("terrain", "reference")).terrain());
        assertEquals(A1Walk.ActionFilter.NONE, Tasks.a1Config(A1, Map.of("action_filter", "none")).actionFilter());
        assertEquals(A1Walk.ActionFilter.BUTTERWORTH, Tasks.a1Config(A1, Map.of("action_filter", "butterworth")).actionFilter());
        A1Walk.Config all = Tasks.a1Config(A1, Map.of("reward", "paper-literal", "terrain", "reference", "action_filter", "butterworth"));
        assertEquals(A1Walk.Config.paper(A1).withReward(A1Walk.Reward.PAPER_LITERAL).withTerrain(A1Walk.Terrain.reference())
                .withActionFilter(A1Walk.ActionFilter.BUTTERWORTH), all, "options combine, the rest stays the paper's");
        for (String key : Tasks.OPTIONS.keySet()) {
            assertTrue(Tasks.isTaskOption(key));
            for (String value : Tasks.OPTIONS.get(key)) {
                Tasks.a1Config(A1, Map.of(key, value));   // every listed value parses
            }
        }
        assertTrue(!Tasks.isTaskOption("utd"), "learner keys are not task options");
    }

    @Test
    void badOptionsSayWhatWasWrongAndWhatToChoose() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tasks.a1Config(A1, Map.of("terrain", "hills")));
        assertTrue(e.getMessage().contains("terrain=hills") && e.getMessage().contains("mix, flat, reference"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tasks.a1Config(A1, Map.of("gait", "trot")));
        assertTrue(e.getMessage().contains("unknown task option 'gait'") && e.getMessage().contains("action_filter=none|butterworth"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tasks.PENDULUM.checkOptions(Map.of("terrain", "flat")));
        assertTrue(e.getMessage().contains("no task options"), e.getMessage());
        Tasks.PENDULUM.checkOptions(Map.of());
        Tasks.A1.checkOptions(Map.of("reward", "reference"));
    }
}
