package dev.kiln.itests;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginException;
import dev.kiln.runtime.PluginRef;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Install/swap/uninstall cycles of one plugin through the plugin folder while caller threads keep
 * leasing and using it, then a leak check: Metaspace after the cycles against after the warm-up, and
 * how many of the plugin's class loaders are still reachable once everything is uninstalled.
 */
final class SwapCycles {

    /** What the cycles left behind. */
    record Result(int cycles, long calls, int loadersSeen, int loadersRetained, long metaspaceWarm, long metaspaceAfter) {

        long metaspaceGrowth() {
            return metaspaceAfter - metaspaceWarm;
        }

        @Override
        public String toString() {
            return String.format("%d cycles, %d calls, plugin versions used %d, retained %d, Metaspace %.1f MiB after warm-up -> %.1f MiB (%+.1f MiB)",
                    cycles, calls, loadersSeen, loadersRetained, metaspaceWarm / 1048576.0, metaspaceAfter / 1048576.0, metaspaceGrowth() / 1048576.0);
        }
    }

    static final int MAX_RETAINED_LOADERS = 2;
    static final long MAX_METASPACE_GROWTH = 4L << 20;
    private static final int WARMUP = 20;

    private SwapCycles() {
    }

    /** The leak check: at most two plugin class loaders retained and Metaspace flat. */
    static void assertNoLeak(Result r) {
        if (r.loadersRetained() > MAX_RETAINED_LOADERS) {
            throw new AssertionError(r.loadersRetained() + " plugin class loaders are still reachable after every version was uninstalled"
                    + " (at most " + MAX_RETAINED_LOADERS + " allowed): " + r);
        }
        if (r.metaspaceGrowth() > MAX_METASPACE_GROWTH) {
            throw new AssertionError("Metaspace grew by more than " + (MAX_METASPACE_GROWTH >> 20) + " MiB over the cycles: " + r);
        }
    }

    static Result run(Path tmp, String pluginPackage, String name, int cycles, int callers) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Set<ClassLoader> loaders = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
        AtomicLong calls = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Set<String> versionsUsed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // Callers are host pool threads: they outlive the plugin versions they called, as in a server.
        java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long metaspaceWarm = 0;
        long metaspaceAfter;
        int retained;
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(plugins).watch(false).start()) {
            for (int t = 0; t < callers; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        try (Lease<OptimizerFactory> lease = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse(name), Thread.currentThread().getName())) {
                            Optimizer opt = lease.service().create(null, List.of(), null);
                            opt.step();
                            opt.exportState();
                            loaders.add(opt.getClass().getClassLoader());
                            versionsUsed.add(lease.plugin().toString());
                            calls.incrementAndGet();
                        } catch (PluginException between) {
                            // no version installed at this instant (an uninstall phase): try again
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    try {
                        measured.await(); // idle in the pool, ThreadLocals and all
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "caller-" + t);
                th.start();
                threads.add(th);
            }
            Path jar = plugins.resolve(name + ".jar");
            for (int i = 0; i < cycles; i++) {
                Path built = TestBundles.build(staging.resolve(name + "-" + i + ".jar"), "dev.kiln.test." + name, "1.0." + i, pluginPackage);
                TestBundles.drop(built, plugins, jar.getFileName().toString()); // install, or swap in beside the previous version
                check(kiln.sync());
                Files.delete(built);
                if (i % 4 == 3) {
                    Files.delete(jar); // uninstall phase: the version drains and goes
                    check(kiln.sync());
                }
                if (i == WARMUP - 1) {
                    metaspaceWarm = metaspaceAfterGc();
                }
            }
            stop.set(true);
            Thread.sleep(50);
            Files.deleteIfExists(jar);
            kiln.sync();
            kiln.awaitIdle();
            if (failure.get() != null) {
                throw new AssertionError("a caller failed during the cycles", failure.get());
            }
            if (!kiln.registry().installed().isEmpty() || !kiln.registry().leases().isEmpty()) {
                throw new AssertionError("left installed: " + kiln.registry().installed() + ", leases " + kiln.registry().leases());
            }
            // Measured with the runtime still up: the live framework, SCR and registry must not hold old versions.
            metaspaceAfter = metaspaceAfterGc();
            synchronized (loaders) {
                retained = loaders.size();
            }
        }
        measured.countDown();
        for (Thread th : threads) {
            th.join(10_000);
        }
        return new Result(cycles, calls.get(), versionsUsed.size(), retained, metaspaceWarm, metaspaceAfter);
    }

    private static void check(List<?> problems) {
        if (!problems.isEmpty()) {
            throw new AssertionError("unexpected plugin problems: " + problems);
        }
    }

    static long metaspaceAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                return pool.getUsage().getUsed();
            }
        }
        throw new IllegalStateException("no Metaspace memory pool");
    }
}
