package trot.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import trot.env.RobotDescription;
import trot.env.TestRobots;
import trot.link.Emulator;
import trot.link.HelloAck;
import trot.link.SerialLink;
import trot.link.State;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code trot emulate --robot FILE}: the robot file's names and hardware pose reach the real emulator. */
@Tag("emulator")
class EmulateCommandTest {
    @Test
    void aRobotFileBecomesTheEmulatorsFlagsAndAGivenModelStays() {
        RobotDescription go1 = TestRobots.go1();
        List<String> c = EmulateCommand.commandLine(Path.of("emu"), go1, List.of("--seed", "3"));
        assertEquals(List.of("emu", "--model", go1.model().toString()), c.subList(0, 3));
        assertEquals("FR_hip_joint,FR_thigh_joint,FR_calf_joint,FL_hip_joint,FL_thigh_joint,FL_calf_joint,RR_hip_joint,"
                + "RR_thigh_joint,RR_calf_joint,RL_hip_joint,RL_thigh_joint,RL_calf_joint", c.get(c.indexOf("--joints") + 1));
        assertEquals("0.0,0.9,-1.8,0.0,0.9,-1.8,0.0,0.9,-1.8,0.0,0.9,-1.8", c.get(c.indexOf("--stand-rad") + 1));
        assertEquals("35.55", c.get(c.indexOf("--torque-limit") + 1), "the largest of the motors' limits");
        assertEquals("Unitree-Go1", c.get(c.indexOf("--robot-name") + 1));
        assertEquals(List.of("--seed", "3"), c.subList(c.size() - 2, c.size()), "the user's options last");
        List<String> own = EmulateCommand.commandLine(Path.of("emu"), go1, List.of("--model", "mine.xml"));
        assertEquals(1, own.stream().filter("--model"::equals).count(), "the user's --model replaces the file's: " + own);
        assertTrue(!EmulateCommand.commandLine(Path.of("emu"), List.of()).contains("--joints"), "the A1: no robot flags");
    }

    @Test
    void theEmulatedGo1AnswersWithItsNameAndStartsInItsHardwarePose() throws Exception {
        Emulator.assumeBuilt();
        RobotDescription go1 = TestRobots.go1();
        List<String> options = new ArrayList<>(List.of("--model", go1.model().toString()));
        options.addAll(EmulateCommand.robotFlags(go1));
        CompletableFuture<String> name = new CompletableFuture<>();
        SerialLink.Listener listener = new SerialLink.Listener() {
            @Override
            public void onSession(HelloAck ack) {
                name.complete(ack.robotName());
            }
        };
        try (Emulator emulator = new Emulator(options.toArray(new String[0]));
             SerialLink link = SerialLink.open(emulator.port, 1_000_000, SerialLink.Config.defaults(), listener)) {
            link.awaitSession(3000);
            assertEquals("Unitree-Go1", name.get(3, TimeUnit.SECONDS));
            State s = new State();
            long end = System.nanoTime() + 2_000_000_000L;
            while (link.readState(s) <= 0 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            // The first States: the standing start, the Go1's hardware pose (hip 0, not the A1's 0.05), sagging slowly
            // under the disarmed firmware's damping.
            for (int j = 0; j < 12; j++) {
                assertEquals(go1.hardwareStand_rad(j), s.q_rad[j], j % 3 == 0 ? 0.03 : 0.25, "joint " + j);
            }
            assertTrue(emulator.stdout.stream().anyMatch(l -> l.contains("robot Unitree-Go1") && l.contains("go1.xml")),
                    String.valueOf(emulator.stdout));
        }
    }
}
