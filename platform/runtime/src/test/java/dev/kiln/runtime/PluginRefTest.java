package dev.kiln.runtime;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginRefTest {

    @Test
    void bareNameMatchesEveryVersion() {
        PluginRef ref = PluginRef.parse("adam");
        assertEquals("adam", ref.name());
        assertTrue(ref.range().includes(Version.parseVersion("0.0.1")));
        assertTrue(ref.range().includes(Version.parseVersion("99.0.0")));
    }

    @Test
    void rangePinIsAnOsgiRange() {
        PluginRef ref = PluginRef.parse("adam@[1.2,2)");
        assertTrue(ref.range().includes(Version.parseVersion("1.2.0")));
        assertTrue(ref.range().includes(Version.parseVersion("1.9.9")));
        assertFalse(ref.range().includes(Version.parseVersion("2.0.0")));
        assertFalse(ref.range().includes(Version.parseVersion("1.1.9")));
    }

    @Test
    void bareVersionPinsExactlyThatVersion() {
        PluginRef ref = PluginRef.parse("adam@1.2.0");
        assertTrue(ref.range().includes(Version.parseVersion("1.2.0")));
        assertFalse(ref.range().includes(Version.parseVersion("1.2.1")));
    }

    @Test
    void rejectsMalformedPinNamingTheSyntax() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginRef.parse("adam@[1.2"));
        assertTrue(e.getMessage().contains("NAME@[1.2,2)"), e.getMessage());
    }

    @Test
    void pluginIdRoundTrips() {
        assertEquals("dev.example.optim@1.2.3", PluginId.parse("dev.example.optim@1.2.3").toString());
    }
}
