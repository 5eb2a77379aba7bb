package trot.cli;

import picocli.CommandLine.Command;
import trot.blas.BlasBackend;

/** Prints what this JVM will compute with: BLAS backend, JVM, CPU. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the BLAS backend, the JVM and the CPU trot runs on.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println(BlasBackend.describe());
        System.out.println("JVM:   " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        System.out.println("CPU:   " + Runtime.getRuntime().availableProcessors() + " logical processors, "
                + System.getProperty("os.arch") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.version"));
    }
}
