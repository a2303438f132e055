package io.duroxide.runtime;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Gives each test its own SQLite file and closes every runtime it opened. */
abstract class EngineTestBase {
    @TempDir
    Path dir;

    EngineHarness harness;

    @BeforeEach
    void openHarness() {
        harness = new EngineHarness(dir);
    }

    @AfterEach
    void closeHarness() {
        harness.close();
    }
}
