package dev.kiln.itests;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import dev.kiln.api.tensor.Tensor;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * Builds real plugin bundles from the test plugins compiled into this module's test classes, with
 * bnd (the same tool bnd-maven-plugin runs): DS component XML from the {@code @Component}
 * annotations, imports computed from the classes and versioned against the kiln-api jar.
 */
final class TestBundles {

    static final String ECHO = "dev.kiln.itests.plugins.echo";
    static final String LEAKY = "dev.kiln.itests.plugins.leaky";
    static final String THROWING = "dev.kiln.itests.plugins.throwing";

    private TestBundles() {
    }

    /** A bundle of one test plugin package. */
    static Path build(Path out, String symbolicName, String version, String pluginPackage) {
        return build(out, symbolicName, version, pluginPackage, Map.of());
    }

    static Path build(Path out, String symbolicName, String version, String pluginPackage, Map<String, String> extra) {
        try (Builder b = new Builder()) {
            b.addClasspath(location(TestBundles.class));
            b.addClasspath(location(Tensor.class));
            b.setProperty("Bundle-SymbolicName", symbolicName);
            b.setProperty("Bundle-Version", version);
            b.setProperty("Private-Package", pluginPackage);
            b.setProperty("Export-Package", "");
            b.setProperty("-dsannotations", "*");
            b.setProperty("-noextraheaders", "true");
            b.setProperty("-includeresource", "kiln-test-version.txt;literal='" + version + "'");
            extra.forEach(b::setProperty);
            Jar jar = b.build();
            if (!b.getErrors().isEmpty()) {
                throw new IllegalStateException("bnd errors building " + symbolicName + ": " + b.getErrors());
            }
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
            jar.write(tmp.toFile());
            return Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build test bundle " + symbolicName + "@" + version + ": " + e, e);
        }
    }

    /**
     * The echo plugin under another plugin name: the component XML is written here instead of being
     * generated from the annotation, so one compiled class can stand in for many distinct plugins.
     */
    static Path buildNamed(Path out, String symbolicName, String version, String pluginName) throws IOException {
        Path xml = Files.createTempFile("component-", ".xml");
        Files.writeString(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + pluginName + "\">\n"
                + "  <implementation class=\"" + ECHO + ".EchoOptimizerFactory\"/>\n"
                + "  <service><provide interface=\"dev.kiln.api.nn.OptimizerFactory\"/></service>\n"
                + "  <property name=\"kiln.kind\" value=\"optimizer\"/>\n"
                + "  <property name=\"kiln.name\" value=\"" + pluginName + "\"/>\n"
                + "</scr:component>\n");
        try {
            return build(out, symbolicName, version, ECHO, Map.of(
                    "-dsannotations", "!*",
                    "Service-Component", "OSGI-INF/component.xml",
                    "-includeresource", "kiln-test-version.txt;literal='" + version + "',OSGI-INF/component.xml=" + xml));
        } finally {
            Files.delete(xml);
        }
    }

    /** Moves a finished jar into the plugin folder atomically, the way a user should. */
    static Path drop(Path jar, Path pluginDir, String name) throws IOException {
        Path tmp = pluginDir.resolve("." + name + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(tmp, pluginDir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A jar with a manifest but no OSGi headers: what {@code mvn package} makes without bnd. */
    static Path plainJar(Path out) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Created-By", "a plain maven-jar-plugin");
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf)) {
            jar.putNextEntry(new ZipEntry("dev/example/Nothing.class"));
            jar.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
            jar.closeEntry();
        }
        return out;
    }

    private static File location(Class<?> c) {
        try {
            return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
