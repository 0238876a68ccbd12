package dev.kiln.cli;

import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.proto.v1.ListPluginsRequest;
import dev.kiln.proto.v1.Plugin;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginRef;
import dev.kiln.server.KilnClient;
import dev.kiln.server.KilnServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PluginService.ListPlugins reports the live runtime registry: plugin versions and the runs holding leases on them. */
class PluginServiceLeasesTest {

    @TempDir
    Path tmp;

    private static Plugin.Component component(KilnClient admin, String kind, String name) {
        List<Plugin.Component> found = admin.plugins().listPlugins(ListPluginsRequest.getDefaultInstance()).getPluginsList().stream()
                .flatMap(p -> p.getComponentsList().stream()).filter(c -> c.getKind().equals(kind) && c.getName().equals(name)).toList();
        assertEquals(1, found.size(), kind + "/" + name + " is listed once: " + found);
        return found.get(0);
    }

    @Test
    void listPluginsShowsVersionsAndTheRunsHoldingLeases() throws Exception {
        Path home = tmp.resolve("home");
        try (KilnRuntime kiln = PluginRuntime.start(tmp.resolve("plugins"));
             KilnServer server = KilnServer.start(new KilnServer.Config().home(home).port(0).catalog(new RegistryCatalog(kiln.registry())));
             KilnClient admin = KilnClient.connect("127.0.0.1:" + server.port(), Files.readString(home.resolve("admin-token")).trim(), null)) {
            Plugin.Component adam = component(admin, "optimizer", "adam");
            assertFalse(adam.getVersion().isEmpty(), "the bundle version is reported");
            assertEquals(0, adam.getLeases());
            Plugin core = admin.plugins().listPlugins(ListPluginsRequest.getDefaultInstance()).getPluginsList().stream()
                    .filter(p -> p.getComponentsList().contains(adam)).findFirst().orElseThrow();
            assertTrue(core.getName().startsWith("plugins/") && core.getSizeBytes() >= 0, core.toString());

            // RunnerExecutor names a run directory after its run (WORK/{run}/attempt-N/{run}); a resumed attempt holds "{run} (resumed)"
            try (Lease<OptimizerFactory> a = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse("adam"),
                    tmp.resolve("work/fashion-mlp-20261121-1200/attempt-1/fashion-mlp-20261121-1200").toString());
                 Lease<OptimizerFactory> b = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse("adam"),
                         "fashion-mlp-20261121-1100 (resumed)")) {
                Plugin.Component held = component(admin, "optimizer", "adam");
                assertEquals(2, held.getLeases());
                assertEquals(List.of("runs/fashion-mlp-20261121-1100", "runs/fashion-mlp-20261121-1200"), held.getHoldersList());
                assertEquals(a.plugin().version().toString(), held.getVersion());
                assertEquals(0, component(admin, "optimizer", "sgd").getLeases(), "leases are per plugin service");
            }
            Plugin.Component released = component(admin, "optimizer", "adam");
            assertEquals(0, released.getLeases());
            assertEquals(List.of(), released.getHoldersList());
        }
    }
}
