package trot.video;

import trot.env.sim.Mujoco;
import trot.env.sim.Renderer;

import java.nio.file.Path;

/** A child JVM's main: makes a renderer of the A1 and prints "rendered" or the error it got (VideoTest). */
public final class RendererProbe {
    public static void main(String[] args) {
        try (Mujoco sim = new Mujoco(Path.of(args[0])); Renderer r = new Renderer(sim, 64, 48, Renderer.Camera.trunk())) {
            r.render(new byte[r.frameBytes()]);
            System.out.println("rendered on " + r.description());
        } catch (IllegalStateException e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
