package dev.kiln.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KilnRuntimeTest {

    @Test
    void startsWithAnEmptyFolderAndRejectsAJarThatIsNotABundle(@TempDir Path home) throws Exception {
        Path plugins = home.resolve("plugins");
        Path cache = home.resolve("cache");
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(plugins).storageDir(cache).watch(false).start()) {
            assertTrue(Files.isDirectory(plugins));
            assertTrue(kiln.registry().list().isEmpty());
            Files.writeString(plugins.resolve("notes.jar"), "not a zip");
            var problems = kiln.sync();
            assertEquals(1, problems.size(), problems.toString());
            assertEquals(PluginProblem.Kind.NOT_A_BUNDLE, problems.get(0).kind());
            assertTrue(problems.get(0).message().contains("notes.jar"), problems.get(0).message());
        }
        assertFalse(Files.exists(cache), "the framework cache is deleted on close");
    }
}
