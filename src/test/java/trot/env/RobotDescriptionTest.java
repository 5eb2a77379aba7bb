package trot.env;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The robot file format: what it accepts, and that each mistake is named with its line and what to write instead. */
class RobotDescriptionTest {
    static final Path FILE = Path.of("robots/dog.robot");

    static String a1Text() throws Exception {
        return Files.readString(TestRobots.A1_FILE);
    }

    static IllegalArgumentException refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> RobotDescription.parse(FILE, text));
    }

    @Test
    void theA1FileParsesToItsValuesWithModelPathsRelativeToTheFile() throws Exception {
        RobotDescription r = RobotDescription.parse(FILE, a1Text());
        assertEquals("Unitree A1", r.name());
        assertEquals(Path.of("robots/a1.xml").toAbsolutePath().normalize(), r.model(), "beside the robot file");
        assertEquals("RL_calf_joint", r.joints().get(11), "continued lines join");
        assertEquals(-1.4, r.stand_rad(11), 0, "3 values are each leg's hip, thigh, calf");
        assertEquals(33.5, r.torqueLimit_Nm(7), 0, "1 torque limit is every joint's");
        assertEquals(Math.toRadians(30), r.terminationTilt_rad(), 0);
        assertEquals(r, RobotDescription.parse(FILE, a1Text()), "equal values, equal descriptions");
    }

    @Test
    void twelveValuesSetEachJointAndAnAbsoluteModelStays() throws Exception {
        String text = a1Text().replace("stand_rad = 0.05 0.7 -1.4", "stand_rad = 0 0.7 -1.4 0 0.7 -1.4 0.1 0.8 -1.5 0.1 0.8 -1.5")
                .replace("model = a1.xml", "model = /opt/robots/a1.xml");
        RobotDescription r = RobotDescription.parse(FILE, text);
        assertEquals(0.0, r.stand_rad(0), 0);
        assertEquals(0.1, r.stand_rad(9), 0);
        assertEquals(-1.5, r.stand_rad(11), 0);
        assertEquals(Path.of("/opt/robots/a1.xml"), r.model());
    }

    @Test
    void everyMissingKeyIsListedAndAnUnknownOneGetsASuggestion() throws Exception {
        String text = a1Text().replaceAll("(?m)^kd_Nm_s_per_rad.*$", "").replaceAll("(?m)^feet.*$", "")
                .replace("termination_tilt_deg", "termination_tilt_rad");
        String m = refused(text).getMessage();
        assertTrue(m.contains("robot file robots/dog.robot"), m);
        assertTrue(m.contains("unknown key 'termination_tilt_rad' (did you mean 'termination_tilt_deg'?)"), m);
        assertTrue(m.contains("missing feet, kd_Nm_s_per_rad"), "all missing keys at once: " + m);
        assertTrue(m.contains("docs/robot-file.md"), m);
    }

    @Test
    void syntaxDuplicatesAndCountsNameTheirLine() throws Exception {
        String m = refused(a1Text() + "\nthis line has no equals sign\n").getMessage();
        int line = a1Text().split("\n", -1).length + 1;
        assertTrue(m.contains("line " + line + ": 'this line has no equals sign' is not 'key = value'"), m);
        m = refused(a1Text() + "\nkp_Nm_per_rad = 70\n").getMessage();
        assertTrue(m.contains("'kp_Nm_per_rad' is given again (first on line"), m);
        m = refused(a1Text().replace("stand_rad = 0.05 0.7 -1.4", "stand_rad = 0.05 0.7")).getMessage();
        assertTrue(m.contains("stand_rad needs 3 (hip, thigh, calf, for every leg) or 12 values, got 2"), m);
        m = refused(a1Text().replace("FR_touch FL_touch RR_touch RL_touch", "FR_touch FL_touch")).getMessage();
        assertTrue(m.contains("feet needs 4 names, got 2"), m);
        m = refused(a1Text().replace("kp_Nm_per_rad = 60", "kp_Nm_per_rad = sixty")).getMessage();
        assertTrue(m.contains("kp_Nm_per_rad must be a number, got 'sixty'"), m);
        m = refused(a1Text().replace("action_range_rad = 0.2 0.4 0.4", "action_range_rad = 0.2 x 0.4")).getMessage();
        assertTrue(m.contains("action_range_rad: 'x' is not a number"), m);
    }

    @Test
    void valuesOutOfRangeSayWhatTheyMustBe() throws Exception {
        String m = refused(a1Text().replace("kp_Nm_per_rad = 60 ", "kp_Nm_per_rad = -60 ")).getMessage();
        assertTrue(m.contains("kp_Nm_per_rad must be positive") && m.contains("-60.0"), m);
        m = refused(a1Text().replace("termination_tilt_deg = 30", "termination_tilt_deg = 95")).getMessage();
        assertTrue(m.contains("termination_tilt_deg must be in (0, 90), got 95"), m);
        m = refused(a1Text().replace("stand_rad = 0.05 0.7 -1.4", "stand_rad = 3 40 -80")).getMessage();
        assertTrue(m.contains("beyond 2 pi rad (is it in degrees?)"), m);
        m = refused(a1Text().replace("hardware.kp_Nm_per_rad = 60", "hardware.kp_Nm_per_rad = 900")).getMessage();
        assertTrue(m.contains("hardware.kp_Nm_per_rad must be in (0, 500]"), m);
        m = refused(a1Text().replace("torque_limit_Nm = 33.5", "torque_limit_Nm = 33.5 0 33.5")).getMessage();
        assertTrue(m.contains("torque_limit_Nm must be positive"), m);
    }

    @Test
    void anAbsentFileSaysWhereTheA1sIs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RobotDescription.read(Path.of("no/such/dog.robot")));
        assertTrue(e.getMessage().contains("no robot file") && e.getMessage().contains("hardware/a1/a1.robot"), e.getMessage());
    }
}
