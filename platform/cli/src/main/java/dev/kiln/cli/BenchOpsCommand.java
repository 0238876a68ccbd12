package dev.kiln.cli;

import dev.kiln.bench.OpsBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code kiln bench ops}: times GEMM, convolutions and an MLP step; see {@link OpsBenchmark}. */
@Command(name = "ops",
        mixinStandardHelpOptions = true,
        description = {"Times tensor ops (GEMM, convolutions, an MLP training step) and prints one JSON object per line:",
                "case, pass, dtype, threads, backend, median_ms, gflops (GEMM also raw_gflops: cblas_sgemm in the same process)."})
final class BenchOpsCommand implements Callable<Integer> {

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: available processors, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--backend", paramLabel = "B", description = "Backend name (java, cpu, ...); default: the best available.")
    String backend;

    @Option(names = "--cases", paramLabel = "REGEX", defaultValue = ".*",
            description = "Run the cases whose name or name/pass matches (e.g. 'gemm', 'conv.*/fwd\\+bwd'). Default: all.")
    String cases;

    @Option(names = "--min-time-ms", paramLabel = "MS", defaultValue = "500", description = "Timed wall-clock per case, at least (default ${DEFAULT-VALUE}).")
    long minTimeMs;

    @Option(names = "--min-iterations", paramLabel = "K", defaultValue = "10", description = "Timed steps per case, at least (default ${DEFAULT-VALUE}).")
    int minIterations;

    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "200", description = "Untimed warm-up per case, at least (default ${DEFAULT-VALUE}).")
    long warmupMs;

    @Override
    public Integer call() {
        OpsBenchmark.Options options = new OpsBenchmark.Options(threads, backend, cases, minTimeMs, minIterations, warmupMs);
        new OpsBenchmark(options).run(System.out, System.err);
        return 0;
    }
}
