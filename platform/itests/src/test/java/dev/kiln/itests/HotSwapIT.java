package dev.kiln.itests;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginId;
import dev.kiln.runtime.PluginInfo;
import dev.kiln.runtime.PluginListener;
import dev.kiln.runtime.PluginRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Side-by-side hot swap through the watched plugin folder, with a run in progress. */
class HotSwapIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final PluginRef ECHO = PluginRef.parse("echo");

    @TempDir
    Path tmp;

    @Test
    void runInProgressFinishesOnV1WhileV2IsDroppedInAndV1UninstallsAfterTheDrain() throws Exception {
        Path plugins = tmp.resolve("plugins");
        Files.createDirectories(plugins);
        Path v1 = TestBundles.build(tmp.resolve("build/echo-1.0.0.jar"), "dev.kiln.test.echo", "1.0.0", TestBundles.ECHO);
        Path v2 = TestBundles.build(tmp.resolve("build/echo-2.0.0.jar"), "dev.kiln.test.echo", "2.0.0", TestBundles.ECHO);
        List<String> events = new CopyOnWriteArrayList<>();
        PluginListener log = new PluginListener() {
            @Override
            public void installed(PluginId plugin, Path jar) {
                events.add("installed " + plugin);
            }

            @Override
            public void retired(PluginId plugin) {
                events.add("retired " + plugin);
            }

            @Override
            public void uninstalled(PluginId plugin) {
                events.add("uninstalled " + plugin);
            }
        };
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(plugins).debounce(Duration.ofMillis(50)).listener(log).start()) {
            TestBundles.drop(v1, plugins, "echo.jar");
            Await.until("echo 1.0.0 is resolvable", WAIT, () -> version(kiln).equals(Optional.of("1.0.0")));

            // Run 1 starts on v1 and keeps stepping on its own thread.
            Lease<OptimizerFactory> run1Lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, ECHO, "run-1");
            Optimizer run1 = run1Lease.service().create(null, List.of(), null);
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch stepping = new CountDownLatch(1);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            Future<String> run1Result = runner.submit(() -> {
                while (!stop.get()) {
                    run1.step();
                    stepping.countDown();
                }
                run1.exportState(); // loads a class of v1 for the first time, after v1 was retired
                return run1.toString();
            });
            assertTrue(stepping.await(10, TimeUnit.SECONDS));

            // v2 replaces the jar: v1 is retired but keeps serving run 1.
            TestBundles.drop(v2, plugins, "echo.jar");
            Await.until("echo 2.0.0 is resolvable", WAIT, () -> version(kiln).equals(Optional.of("2.0.0")));
            kiln.awaitIdle(); // v1 is retired right after v2 is installed
            assertEquals(List.of("draining", "active"), kiln.registry().list().stream().map(PluginInfo::state).toList());
            assertEquals(1, kiln.registry().list().get(0).leases(), "run 1 still holds v1");

            // The next run gets v2.
            try (Lease<OptimizerFactory> run2Lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, ECHO, "run-2")) {
                assertEquals(PluginId.parse("dev.kiln.test.echo@2.0.0"), run2Lease.plugin());
                Optimizer run2 = run2Lease.service().create(null, List.of(), null);
                run2.step();
                assertTrue(run2.toString().startsWith("echo 2.0.0"), run2.toString());
            }

            // Run 1 finishes on v1 code; closing its lease drains v1, which is then uninstalled.
            stop.set(true);
            String finished = run1Result.get(10, TimeUnit.SECONDS);
            runner.shutdown();
            assertTrue(finished.startsWith("echo 1.0.0"), finished);
            assertEquals(PluginId.parse("dev.kiln.test.echo@1.0.0"), run1Lease.plugin());
            assertTrue(kiln.registry().installed().contains(run1Lease.plugin()), "v1 stays installed while leased");
            run1Lease.close();
            kiln.awaitIdle();
            assertEquals(List.of(PluginId.parse("dev.kiln.test.echo@2.0.0")), kiln.registry().installed());
            assertFalse(kiln.frameworkBundles().stream().anyMatch(b -> b.startsWith("dev.kiln.test.echo@1.0.0")), kiln.frameworkBundles().toString());
            assertEquals(List.of("installed dev.kiln.test.echo@1.0.0", "installed dev.kiln.test.echo@2.0.0",
                    "retired dev.kiln.test.echo@1.0.0", "uninstalled dev.kiln.test.echo@1.0.0"), events);
        }
    }

    @Test
    void removedJarDrainsThenUninstalls() throws Exception {
        Path plugins = tmp.resolve("plugins");
        Files.createDirectories(plugins);
        TestBundles.build(plugins.resolve("echo.jar"), "dev.kiln.test.echo", "1.0.0", TestBundles.ECHO);
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(plugins).debounce(Duration.ofMillis(50)).start()) {
            Lease<OptimizerFactory> lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, ECHO, "run-1");
            Files.delete(plugins.resolve("echo.jar"));
            Await.until("echo is no longer resolvable", WAIT, () -> version(kiln).isEmpty());
            kiln.awaitIdle();
            assertEquals("draining", kiln.registry().list().get(0).state());
            lease.service().create(null, List.of(), null).step();
            lease.close();
            kiln.awaitIdle();
            assertTrue(kiln.registry().list().isEmpty(), kiln.registry().list().toString());
            assertTrue(kiln.registry().leases().isEmpty());
        }
    }

    private static Optional<String> version(KilnRuntime kiln) {
        return kiln.registry().resolve("optimizer", ECHO).map(id -> id.version().toString());
    }
}
