package dev.kiln.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * The packages the host exports into the framework: the {@code Export-Package} header that bnd
 * wrote into the kiln-api jar, read from the host class path. Never a hand-written list: an
 * unversioned export makes every plugin fail to resolve (DESIGN §2).
 *
 * @param header   the header verbatim, suitable for {@code org.osgi.framework.system.packages.extra}
 * @param packages the package names it exports, in order
 * @param source   where the manifest was read from
 */
public record ApiExports(String header, List<String> packages, String source) {

    /** The bundle symbolic name bnd gives the API jar (platform/api/pom.xml). */
    public static final String API_SYMBOLIC_NAME = "dev.kiln.api";

    /** Reads the API manifest visible to {@code loader}, the class loader Felix itself uses. */
    public static ApiExports fromClassPath(ClassLoader loader) {
        try {
            Enumeration<URL> manifests = loader.getResources("META-INF/MANIFEST.MF");
            while (manifests.hasMoreElements()) {
                URL url = manifests.nextElement();
                Manifest mf;
                try (InputStream in = url.openStream()) {
                    mf = new Manifest(in);
                }
                Attributes main = mf.getMainAttributes();
                String bsn = main.getValue("Bundle-SymbolicName");
                if (bsn != null && bsn.split(";")[0].strip().equals(API_SYMBOLIC_NAME)) {
                    String header = main.getValue("Export-Package");
                    if (header == null || header.isBlank()) {
                        throw new IllegalStateException("the kiln-api manifest at " + url + " has no Export-Package header;"
                                + " the API jar must be built by bnd-maven-plugin (platform/api/pom.xml)");
                    }
                    return new ApiExports(header.strip(), packageNames(header), url.toString());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read manifests from the host class path: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no kiln-api manifest (Bundle-SymbolicName: " + API_SYMBOLIC_NAME + ") on the host class path;"
                + " put the bnd-built kiln-api jar on the class path (a plain jar or its classes directory without"
                + " META-INF/MANIFEST.MF is not enough)");
    }

    /** The package names of an OSGi {@code Export-Package} header (clauses split on commas outside quotes). */
    static List<String> packageNames(String header) {
        List<String> names = new ArrayList<>();
        for (String clause : splitOutsideQuotes(header, ',')) {
            for (String part : splitOutsideQuotes(clause, ';')) {
                String p = part.strip();
                if (p.isEmpty() || p.contains("=")) {
                    break;
                }
                names.add(p);
            }
        }
        return List.copyOf(names);
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
