package dev.kiln.run;

import dev.kiln.runtime.KilnRuntime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The core plugin bundles of the reactor in a real framework, for tests. Surefire passes their files in
 * {@code kiln.core.plugins} (jars after {@code package}, {@code target/classes} folders before it); they are never on
 * the test class path.
 */
final class TestPlugins {

    private static KilnRuntime shared;

    private TestPlugins() {
    }

    /** The reactor's core plugin files. */
    static List<Path> core() {
        String files = System.getProperty("kiln.core.plugins");
        if (files == null || files.isBlank() || files.contains("${")) {
            throw new IllegalStateException("kiln.core.plugins is not set (" + files + "); run through Maven, whose surefire"
                    + " configuration in platform/run/pom.xml names the core plugin files");
        }
        return Arrays.stream(files.split(",")).map(String::strip).map(Path::of).toList();
    }

    /** One runtime for the test JVM: the core plugins and an empty, unwatched plugin folder. */
    static synchronized KilnRuntime runtime() {
        if (shared == null) {
            try {
                Path home = Files.createTempDirectory("kiln-run-test-");
                shared = start(home.resolve("plugins"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kiln-test-runtime-close"));
        }
        return shared;
    }

    /** A runtime of its own with the core plugins and {@code pluginDir} as the user's (unwatched) plugin folder. */
    static KilnRuntime start(Path pluginDir) {
        KilnRuntime kiln = KilnRuntime.builder().corePlugins(core()).pluginDir(pluginDir).watch(false).start();
        if (!kiln.problems().isEmpty()) {
            kiln.close();
            throw new IllegalStateException("core plugins rejected: " + kiln.problems());
        }
        return kiln;
    }

    /** The core bundle file whose path names {@code module} (e.g. {@code optimizers}). */
    static Path coreBundle(String module) {
        return core().stream().filter(p -> p.toString().contains("kiln-plugin-" + module) || p.toString().contains("plugins/" + module + "/"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no core bundle for " + module + " in " + core()));
    }

    /** A copy of a core bundle (jar or classes folder) as a jar with another {@code Bundle-Version}: the same plugins, newer. */
    static Path withVersion(Path bundle, String version, Path out) throws IOException {
        Manifest mf;
        try (JarInputStream in = Files.isDirectory(bundle) ? null : new JarInputStream(Files.newInputStream(bundle))) {
            if (in == null) {
                try (InputStream m = Files.newInputStream(bundle.resolve("META-INF/MANIFEST.MF"))) {
                    mf = new Manifest(m);
                }
            } else {
                mf = in.getManifest();
            }
            mf.getMainAttributes().putValue("Bundle-Version", version);
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf)) {
                if (in != null) {
                    for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                        jar.putNextEntry(new JarEntry(e.getName()));
                        in.transferTo(jar);
                        jar.closeEntry();
                    }
                } else {
                    try (Stream<Path> walk = Files.walk(bundle)) {
                        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                            String name = bundle.relativize(p).toString().replace('\\', '/');
                            if (!name.equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                                jar.putNextEntry(new JarEntry(name));
                                Files.copy(p, jar);
                                jar.closeEntry();
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
