package dev.kiln.run;

import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.PluginSource;
import dev.kiln.model.Suggestions;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * Plugins found on the host class path, without OSGi: every jar (or classes folder) whose manifest has a
 * {@code Service-Component} header is read like Declarative Services would — each component's implementation
 * class, its {@code kiln.kind} and {@code kiln.name} — and instantiated with its no-argument constructor on first
 * use. This is the seam until the OSGi runtime's registry ({@code RunPlugins}) takes over; both are a
 * {@link PluginSource} and report the exact {@code bundle@version} of every plugin a run used.
 */
public final class ClasspathPlugins implements PluginSource {

    /** One component: where it comes from and how to make it. */
    private record Component(PluginKind kind, String name, String className, String bundle, String version) {
    }

    private final ClassLoader loader;
    private final Map<String, Component> components = new LinkedHashMap<>();
    private final Map<String, Object> instances = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    private ClasspathPlugins(ClassLoader loader) {
        this.loader = loader;
    }

    /** Scans the class path of this class's loader. */
    public static ClasspathPlugins scan() {
        ClasspathPlugins p = new ClasspathPlugins(ClasspathPlugins.class.getClassLoader());
        try {
            Enumeration<URL> manifests = p.loader.getResources("META-INF/MANIFEST.MF");
            while (manifests.hasMoreElements()) {
                p.readBundle(manifests.nextElement());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot scan the class path for plugins: " + e.getMessage(), e);
        }
        return p;
    }

    private void readBundle(URL manifestUrl) throws IOException {
        Manifest manifest;
        try (InputStream in = manifestUrl.openStream()) {
            manifest = new Manifest(in);
        }
        Attributes a = manifest.getMainAttributes();
        String header = a.getValue("Service-Component");
        String bsn = a.getValue("Bundle-SymbolicName");
        if (header == null || bsn == null) {
            return;
        }
        String version = a.getValue("Bundle-Version");
        String base = manifestUrl.toString().substring(0, manifestUrl.toString().length() - "META-INF/MANIFEST.MF".length());
        for (String xml : header.split(",")) {
            try (InputStream in = new URL(base + xml.strip()).openStream()) {
                readComponent(in, bsn.split(";")[0].strip(), version == null ? "0.0.0" : version);
            } catch (Exception e) {
                throw new IllegalStateException("plugin bundle " + bsn + ": cannot read component " + xml + ": " + e.getMessage(), e);
            }
        }
    }

    private void readComponent(InputStream in, String bundle, String version) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(in);
        String kind = null;
        String name = null;
        NodeList props = doc.getElementsByTagName("property");
        for (int i = 0; i < props.getLength(); i++) {
            Element p = (Element) props.item(i);
            if (PluginKind.KIND_PROPERTY.equals(p.getAttribute("name"))) {
                kind = p.getAttribute("value");
            } else if (PluginKind.NAME_PROPERTY.equals(p.getAttribute("name"))) {
                name = p.getAttribute("value");
            }
        }
        NodeList impl = doc.getElementsByTagName("implementation");
        if (kind == null || name == null || impl.getLength() == 0) {
            return; // not a Kiln plugin component
        }
        PluginKind k = PluginKind.of(kind);
        Component c = new Component(k, name, ((Element) impl.item(0)).getAttribute("class"), bundle, version);
        Component previous = components.putIfAbsent(key(k, name), c);
        if (previous != null && !previous.className().equals(c.className())) {
            throw new IllegalStateException(kind + " '" + name + "' is registered twice: by " + previous.bundle() + " and " + bundle);
        }
    }

    private static String key(PluginKind kind, String name) {
        return kind.id() + "/" + name;
    }

    @Override
    public synchronized <T> T factory(PluginKind kind, String name, String versionRange, Class<T> type) {
        Component c = components.get(key(kind, name));
        if (c == null) {
            throw new IllegalArgumentException(Suggestions.unknown(kind, name, names(kind)));
        }
        Object instance = instances.computeIfAbsent(key(kind, name), k -> instantiate(c));
        if (!type.isInstance(instance)) {
            throw new IllegalArgumentException(kind.id() + " '" + name + "' is a " + instance.getClass().getName()
                    + ", not a " + type.getSimpleName());
        }
        used.put(kind.id() + " " + name, c.bundle() + "@" + c.version());
        return type.cast(instance);
    }

    private Object instantiate(Component c) {
        try {
            return Class.forName(c.className(), true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(c.kind().id() + " '" + c.name() + "' from " + c.bundle()
                    + " cannot be created: " + e, e);
        }
    }

    @Override
    public Set<String> names(PluginKind kind) {
        Set<String> out = new TreeSet<>();
        for (Component c : components.values()) {
            if (c.kind() == kind) {
                out.add(c.name());
            }
        }
        return out;
    }

    /** {@code "kind name" -> "bundle@version"} of every plugin handed out, in first-use order. */
    public synchronized Map<String, String> used() {
        return new LinkedHashMap<>(used);
    }

    /** {@code kind name -> bundle@version} of every plugin found (for {@code kiln plugins} and run records). */
    public Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        components.values().forEach(c -> out.put(c.kind().id() + " " + c.name(), c.bundle() + "@" + c.version()));
        return out;
    }
}
