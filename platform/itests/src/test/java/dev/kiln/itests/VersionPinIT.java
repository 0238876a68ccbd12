package dev.kiln.itests;

import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginException;
import dev.kiln.runtime.PluginRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Version pins from experiment specs resolve to the right bundle among side-by-side versions. */
class VersionPinIT {

    @TempDir
    static Path plugins;
    static KilnRuntime kiln;

    @BeforeAll
    static void installThreeVersions() {
        for (String v : List.of("1.0.0", "1.5.0", "2.0.0")) {
            TestBundles.build(plugins.resolve("echo-" + v + ".jar"), "dev.kiln.test.echo", v, TestBundles.ECHO);
        }
        kiln = KilnRuntime.builder().pluginDir(plugins).watch(false).start();
    }

    @AfterAll
    static void stop() {
        kiln.close();
    }

    @Test
    void rangePinResolvesToTheHighestVersionInsideTheRange() {
        assertEquals("dev.kiln.test.echo@1.5.0", leased("echo@[1.2,2)"));
    }

    @Test
    void unpinnedNameResolvesToTheHighestVersion() {
        assertEquals("dev.kiln.test.echo@2.0.0", leased("echo"));
    }

    @Test
    void exactPinResolvesToThatVersion() {
        assertEquals("dev.kiln.test.echo@1.0.0", leased("echo@1.0.0"));
    }

    @Test
    void pinMatchingNothingNamesTheInstalledVersions() {
        PluginException e = assertThrows(PluginException.class, () -> leased("echo@[3,4)"));
        assertTrue(e.getMessage().contains("[3.0.0,4.0.0)") && e.getMessage().contains("dev.kiln.test.echo@1.5.0"), e.getMessage());
    }

    @Test
    void misspelledNameSuggestsTheClosestOne() {
        PluginException e = assertThrows(PluginException.class, () -> leased("ecko"));
        assertTrue(e.getMessage().contains("did you mean 'echo'"), e.getMessage());
    }

    @Test
    void theServiceComesFromThePinnedBundle() {
        try (Lease<OptimizerFactory> lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse("echo@[1.2,2)"), "run")) {
            String built = lease.service().create(null, List.of(), null).toString();
            assertTrue(built.startsWith("echo 1.5.0"), built);
        }
    }

    @Test
    void runPluginsHoldsOneLeasePerPluginUntilTheRunCloses() {
        try (dev.kiln.runtime.RunPlugins run = new dev.kiln.runtime.RunPlugins(kiln.registry(), "run-7")) {
            OptimizerFactory a = run.factory(PluginKind.OPTIMIZER, "echo", "[1.2,2)", OptimizerFactory.class);
            OptimizerFactory b = run.factory(PluginKind.OPTIMIZER, "echo", "[1.2,2)", OptimizerFactory.class);
            assertTrue(a == b);
            assertEquals("[dev.kiln.test.echo@1.5.0]", run.used().toString());
            assertEquals(List.of("run-7"), kiln.registry().leases().stream().map(Lease::holder).toList());
            assertEquals(java.util.Set.of("echo"), run.names(PluginKind.OPTIMIZER));
        }
        assertTrue(kiln.registry().leases().isEmpty());
    }

    private static String leased(String ref) {
        try (Lease<OptimizerFactory> lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse(ref), "run")) {
            return lease.plugin().toString();
        }
    }
}
