package trot.cli;

import picocli.CommandLine.Command;
import trot.blas.BlasBackend;

/** Prints what this JVM will compute with: BLAS backend, JVM, CPU. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the BLAS backend, the native libraries (file and where each came from), oneDNN's kernels,"
                + " the JVM and the CPU trot runs on.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println(BlasBackend.describe());
        System.out.println("LayerNorm: " + trot.nn.LayerNorm.kernels());
        if (trot.env.sim.Mujoco.available()) {
            System.out.println("MuJoCo: " + trot.env.sim.Mujoco.version() + " through "
                    + trot.util.NativeLoader.load("trotmujoco").describe());
        } else {
            System.out.println("MuJoCo: unavailable: " + trot.env.sim.Mujoco.unavailableReason());
        }
        if (trot.blas.Onednn.available()) {
            System.out.println("oneDNN: " + trot.blas.Onednn.version() + " through " + trot.blas.Onednn.library().describe()
                    + "; kernels at 256^3: precision=fp32-onednn " + trot.blas.Onednn.kernel(false) + ", precision=bf16 "
                    + trot.blas.Onednn.kernel(true));
        } else {
            System.out.println("oneDNN: not loaded (" + trot.blas.Onednn.library().error() + "; Debian: apt-get install"
                    + " libdnnl-dev, then rebuild): --set precision=fp32-onednn and bf16 are unavailable");
        }
        System.out.println("JVM:   " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        System.out.println("CPU:   " + Runtime.getRuntime().availableProcessors() + " logical processors, "
                + System.getProperty("os.arch") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.version"));
    }
}
