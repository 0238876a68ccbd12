package dev.kiln.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiExportsTest {

    @Test
    void readsVersionedExportsFromTheApiJarsOwnManifest() {
        ApiExports exports = ApiExports.fromClassPath(ApiExportsTest.class.getClassLoader());
        assertTrue(exports.packages().contains("dev.kiln.api.tensor"), exports.packages().toString());
        assertTrue(exports.packages().stream().allMatch(p -> p.startsWith("dev.kiln.api")), exports.packages().toString());
        assertTrue(exports.header().contains("version="), "exports must be versioned: " + exports.header());
    }

    @Test
    void splitsClausesOutsideQuotedUsesDirectives() {
        String header = "a.b;version=\"1.0.0\";uses:=\"c.d,e.f\",c.d;e.f;version=\"2.1\"";
        assertEquals(List.of("a.b", "c.d", "e.f"), ApiExports.packageNames(header));
    }
}
