package dev.kiln.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * The core plugin bundles shipped with Kiln: installed once at start, before the plugin folder, and never watched,
 * replaced or retired (the distribution's {@code plugins/} folder is read-only). An entry is a bundle jar, a folder
 * of bundle jars, or an exploded bundle (a folder with {@code META-INF/MANIFEST.MF}, e.g. a module's
 * {@code target/classes} in a reactor build that has not reached {@code package}), which is packed into a jar in
 * memory and installed like any other.
 */
final class CorePlugins {

    private static final System.Logger LOG = System.getLogger("dev.kiln.runtime");

    private CorePlugins() {
    }

    /** Installs every core bundle on the plugin thread; returns the ones rejected (other bundles are unaffected). */
    static List<PluginProblem> install(List<Path> entries, PluginRegistry registry) {
        List<PluginProblem> problems = new ArrayList<>();
        for (Path entry : entries) {
            List<Path> bundles;
            try {
                bundles = expand(entry);
            } catch (IOException e) {
                PluginProblem p = new PluginProblem(entry, PluginProblem.Kind.NOT_A_BUNDLE, "cannot read the core plugins at " + entry + ": " + e,
                        "rebuild Kiln (mvn package) or point KILN_CORE_PLUGINS at the folder holding the core plugin jars");
                LOG.log(System.Logger.Level.ERROR, p.message());
                problems.add(p);
                continue;
            }
            for (Path b : bundles) {
                try {
                    byte[] content = Files.isDirectory(b) ? pack(b) : Files.readAllBytes(b);
                    PluginRegistry.Installed r = registry.install(b, content, PluginFolder.sha256(content), null);
                    if (r.problem() != null) {
                        problems.add(r.problem());
                    }
                } catch (IOException e) {
                    PluginProblem p = new PluginProblem(b, PluginProblem.Kind.NOT_A_BUNDLE, "cannot read it: " + e, "rebuild Kiln (mvn package)");
                    LOG.log(System.Logger.Level.ERROR, p.message());
                    problems.add(p);
                }
            }
        }
        return problems;
    }

    /** A jar, an exploded bundle, or the jars of a folder (sorted by name, hidden files skipped). */
    static List<Path> expand(Path entry) throws IOException {
        if (!Files.isDirectory(entry)) {
            if (!Files.isRegularFile(entry)) {
                throw new IOException("no such file or folder");
            }
            return List.of(entry);
        }
        if (Files.isRegularFile(entry.resolve("META-INF/MANIFEST.MF"))) {
            return List.of(entry);
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(entry, "*.jar")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** An exploded bundle as jar bytes: its manifest first, then every file, in a stable order. */
    static byte[] pack(Path dir) throws IOException {
        Manifest mf;
        try (InputStream in = Files.newInputStream(dir.resolve("META-INF/MANIFEST.MF"))) {
            mf = new Manifest(in);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf); Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (name.isEmpty() || name.equalsIgnoreCase("META-INF/MANIFEST.MF") || name.equalsIgnoreCase("META-INF")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    jar.putNextEntry(new ZipEntry(name + "/"));
                } else {
                    jar.putNextEntry(new ZipEntry(name));
                    Files.copy(p, jar);
                }
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
