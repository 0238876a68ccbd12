package dev.kiln.cli;

import dev.kiln.run.RunOptions;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.run.Runner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kiln eval RUN_DIR}: the run's final weights (or latest checkpoint) on the test split. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a run's model on the test set; writes RUN_DIR/eval/ (summary.json, confusion.png).")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory, e.g. runs/fashion-lenet-20260101-120000.")
    Path runDir;

    @Option(names = "--data", paramLabel = "DIR", description = "Look for datasets here first.")
    Path data;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--backend", paramLabel = "B", description = "Backend (java, cpu, ...).")
    String backend;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugin folder (default: $KILN_HOME/plugins).")
    Path plugins;

    @Override
    public Integer call() throws Exception {
        ProgressBar progress = new ProgressBar(System.out, false, Integer.MAX_VALUE);
        Map<String, Double> results;
        try (KilnRuntime kiln = PluginRuntime.start(plugins)) {
            results = new Runner(new RunOptions(data, null, threads, backend, 0, progress), kiln.registry()).evaluate(runDir);
        }
        results.forEach((k, v) -> {
            if (!k.startsWith("test_accuracy_class_")) {
                System.out.printf("%-22s %.6f%n", k, v);
            }
        });
        return 0;
    }
}
