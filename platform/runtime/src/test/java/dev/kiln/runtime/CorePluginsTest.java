package dev.kiln.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorePluginsTest {

    @Test
    void expandsAFolderOfJarsAndKeepsAnExplodedBundleWhole(@TempDir Path tmp) throws Exception {
        Path jars = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(jars.resolve("b.jar"), "x");
        Files.writeString(jars.resolve("a.jar"), "x");
        Files.writeString(jars.resolve(".hidden.jar"), "x");
        Files.writeString(jars.resolve("README"), "x");
        assertEquals(List.of(jars.resolve("a.jar"), jars.resolve("b.jar")), CorePlugins.expand(jars));

        Path classes = Files.createDirectories(tmp.resolve("classes/META-INF"));
        Files.writeString(classes.resolve("MANIFEST.MF"), "Manifest-Version: 1.0\nBundle-SymbolicName: x.y\n\n");
        Files.createDirectories(tmp.resolve("classes/OSGI-INF"));
        Files.writeString(tmp.resolve("classes/OSGI-INF/c.xml"), "<c/>");
        assertEquals(List.of(tmp.resolve("classes")), CorePlugins.expand(tmp.resolve("classes")));
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(CorePlugins.pack(tmp.resolve("classes"))))) {
            assertNotNull(in.getManifest());
            assertEquals("x.y", in.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"));
            assertEquals("OSGI-INF/", in.getNextJarEntry().getName());
            assertEquals("OSGI-INF/c.xml", in.getNextJarEntry().getName());
        }
    }

    @Test
    void aBadCoreEntryIsReportedAndTheRuntimeStillStarts(@TempDir Path home) throws Exception {
        Path core = Files.createDirectories(home.resolve("core"));
        Files.writeString(core.resolve("broken.jar"), "not a zip");
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(home.resolve("plugins")).corePlugins(List.of(core, home.resolve("missing")))
                .watch(false).start()) {
            List<PluginProblem> problems = kiln.problems();
            assertEquals(2, problems.size(), problems.toString());
            assertTrue(problems.get(0).message().contains("broken.jar"), problems.get(0).message());
            assertTrue(problems.get(1).message().contains("missing"), problems.get(1).message());
            assertTrue(kiln.registry().list().isEmpty());
            assertTrue(kiln.sync().isEmpty(), "the folder itself has no problems");
        }
    }
}
