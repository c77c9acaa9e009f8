package dev.gannet.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test models (../shared/models); a missing file fails the test, never skips it. */
public final class TestModels {
    private TestModels() {}

    public static Path dir() {
        String p = System.getProperty("gannet.models.dir");
        Path d = p != null ? Path.of(p) : Path.of("..", "..", "shared", "models");
        if (!Files.isDirectory(d)) {
            throw new AssertionError("shared test models not found at " + d.toAbsolutePath()
                    + " (set -Dgannet.models.dir or check out ../shared beside the repo)");
        }
        return d;
    }

    public static Path path(String name) {
        Path f = dir().resolve(name);
        if (!Files.exists(f)) throw new AssertionError("shared test model missing: " + f.toAbsolutePath());
        return f;
    }
}
