package dev.kiln.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The API stays a small, versioned surface: every package is exported with a version (from its
 * package-info), holds only interfaces, records and enums, and the module stays small.
 */
class ApiSurfaceTest {

    private static final Path CLASSES = Paths.get("target/classes");
    private static final int MAX_SOURCE_LINES = 1500;

    @Test
    void everyPackageIsExportedWithAVersion() throws IOException {
        Manifest manifest;
        try (InputStream in = Files.newInputStream(CLASSES.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        String exports = manifest.getMainAttributes().getValue("Export-Package");
        Set<String> packages = packagesWithClasses();
        assertTrue(!packages.isEmpty(), "no API classes found under " + CLASSES.toAbsolutePath());
        for (String pkg : packages) {
            Matcher m = Pattern.compile(Pattern.quote(pkg) + ";version=\"(\\d+\\.\\d+\\.\\d+)\"").matcher(exports == null ? "" : exports);
            assertTrue(m.find(), "package " + pkg + " is not exported with a version; add package-info.java with"
                    + " @Export and @Version (Export-Package was: " + exports + ")");
        }
    }

    @Test
    void holdsOnlyInterfacesRecordsAndEnums() throws Exception {
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = CLASSES.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("package-info") || name.contains("$")) {
                    continue;
                }
                Class<?> c = Class.forName(name);
                boolean allowed = c.isInterface() || c.isRecord() || c.isEnum();
                if (!allowed || !Modifier.isPublic(c.getModifiers())) {
                    fail(name + " is not a public interface, record or enum; implementations belong in the engine");
                }
            }
        }
    }

    @Test
    void staysSmall() throws IOException {
        long lines;
        try (Stream<Path> files = Files.walk(Paths.get("src/main/java"))) {
            lines = files.filter(f -> f.toString().endsWith(".java")).mapToLong(f -> {
                try {
                    return Files.readAllLines(f).size();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).sum();
        }
        assertTrue(lines <= MAX_SOURCE_LINES, "the API has grown to " + lines + " lines (limit " + MAX_SOURCE_LINES
                + "); keep implementation out of it or raise the limit deliberately");
    }

    private static Set<String> packagesWithClasses() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                Path rel = CLASSES.relativize(f.getParent());
                out.add(rel.toString().replace('/', '.'));
            });
        }
        assertEquals(false, out.contains(""), "classes in the default package");
        return out;
    }
}
