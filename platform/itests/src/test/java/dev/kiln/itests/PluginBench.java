package dev.kiln.itests;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.PluginRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plugin runtime figures, one JSON object per line.
 *
 * <pre>
 * java -cp ... dev.kiln.itests.PluginBench build DIR [N]   # N start-up plugins + 21 swap versions (uses bnd)
 * java -cp ... dev.kiln.itests.PluginBench measure DIR     # a fresh JVM that never loaded bnd
 * java -cp ... dev.kiln.itests.PluginBench start DIR       # start only, over the jars in DIR as they are
 *                                                         # (e.g. platform/itests/target/core-plugins)
 * </pre>
 *
 * <ul>
 *   <li>{@code start}: framework + SCR start, N plugin bundles installed, validated and leasable
 *       ("ready"), median of 7 starts in one JVM (the first, cold, reported apart), and the process RSS
 *       after the first start; {@code services} counts the plugins (kiln.kind/kiln.name services) they register;</li>
 *   <li>{@code swap}: jar moved into the watched folder → new version resolvable by the registry,
 *       median of 20, at the default 100 ms debounce and at 10 ms.</li>
 * </ul>
 */
public final class PluginBench {

    private static final int STARTS = 7;
    private static final int SWAPS = 20;

    private PluginBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "build" -> build(dir, args.length > 2 ? Integer.parseInt(args[2]) : 8);
            case "measure" -> measure(dir);
            case "start" -> start(dir);
            default -> throw new IllegalArgumentException("usage: build DIR [N] | measure DIR | start PLUGIN_DIR");
        }
    }

    private static void build(Path dir, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            TestBundles.buildNamed(dir.resolve("startup/plugin-" + i + ".jar"), "dev.kiln.bench.p" + i, "1.0.0", "bench-" + i);
        }
        for (int i = 0; i <= SWAPS; i++) {
            TestBundles.build(dir.resolve("swap/echo-" + i + ".jar"), "dev.kiln.bench.echo", "1.0." + i, TestBundles.ECHO);
        }
    }

    private static void measure(Path dir) throws Exception {
        start(dir.resolve("startup"));
        for (int debounce : new int[] {100, 10}) {
            swap(dir, debounce);
        }
    }

    private static void start(Path startup) throws Exception {
        long n;
        try (Stream<Path> s = Files.list(startup)) {
            n = s.filter(p -> p.toString().endsWith(".jar")).count();
        }
        double[] starts = new double[STARTS];
        long rss = 0;
        int services = 0;
        for (int i = 0; i < STARTS; i++) {
            long t0 = System.nanoTime();
            try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(startup).watch(false).start()) {
                starts[i] = (System.nanoTime() - t0) / 1e6;
                if (kiln.registry().installed().size() != n) {
                    throw new IllegalStateException("expected " + n + " plugins, got " + kiln.registry().installed() + " " + kiln.problems());
                }
                if (i == 0) {
                    rss = rssKiB();
                    services = kiln.registry().list().size();
                }
            }
        }
        double[] warm = Arrays.copyOfRange(starts, 1, STARTS);
        System.out.printf("{\"case\":\"start\",\"plugins\":%d,\"services\":%d,\"cold_ms\":%.1f,\"median_ms\":%.1f,\"min_ms\":%.1f,\"max_ms\":%.1f,"
                        + "\"rss_mib\":%.1f,\"heap_used_mib\":%.1f}%n",
                n, services, starts[0], median(warm), Arrays.stream(warm).min().orElse(0), Arrays.stream(warm).max().orElse(0),
                rss / 1024.0, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
    }

    private static void swap(Path dir, int debounceMs) throws Exception {
        Path plugins = Files.createTempDirectory("kiln-bench-plugins-");
        List<Double> samples = new ArrayList<>();
        try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(plugins).debounce(Duration.ofMillis(debounceMs)).start()) {
            PluginRef echo = PluginRef.parse("echo");
            for (int i = 0; i <= SWAPS; i++) {
                Path jar = dir.resolve("swap/echo-" + i + ".jar");
                String want = "1.0." + i;
                Thread.sleep(2 * debounceMs + 50); // let the previous swap settle
                long t0 = System.nanoTime();
                TestBundles.drop(jar, plugins, "echo.jar");
                while (!kiln.registry().resolve("optimizer", echo).map(id -> id.version().toString()).equals(Optional.of(want))) {
                    if (System.nanoTime() - t0 > 30e9) {
                        throw new IllegalStateException("version " + want + " never became resolvable: " + kiln.problems());
                    }
                    Thread.onSpinWait();
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                if (i > 0) { // the first is an install, not a swap
                    samples.add(ms);
                }
            }
        }
        Collections.sort(samples);
        System.out.printf("{\"case\":\"swap\",\"debounce_ms\":%d,\"swaps\":%d,\"median_ms\":%.1f,\"min_ms\":%.1f,\"max_ms\":%.1f}%n",
                debounceMs, samples.size(), samples.get(samples.size() / 2), samples.get(0), samples.get(samples.size() - 1));
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
