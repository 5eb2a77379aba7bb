package trot.io;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Guards a command's output directory: results already there are never replaced without being asked to. */
public final class Outputs {
    private Outputs() {
    }

    /**
     * Checks, before anything is written, that none of {@code names} exists in {@code dir}, so a run refused for
     * one existing file has not already replaced another.
     *
     * @throws FileAlreadyExistsException naming every file that exists, and what to do
     */
    public static void requireAbsent(Path dir, List<String> names) throws FileAlreadyExistsException {
        List<String> existing = new ArrayList<>();
        for (String n : names) {
            if (Files.exists(dir.resolve(n))) {
                existing.add(n);
            }
        }
        if (!existing.isEmpty()) {
            throw new FileAlreadyExistsException(dir.toString(), null, "already holds " + String.join(", ", existing)
                    + "; choose another output directory or pass --force to overwrite");
        }
    }
}
