package dev.kiln.cli;

import dev.kiln.run.Runner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kiln runs}: local run directories, newest first, with their summaries. */
@Command(name = "runs",
        mixinStandardHelpOptions = true,
        description = "List local runs with status, epochs, test accuracy, wall time and throughput.")
final class RunsCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Where run directories are (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Map<String, Object>> runs = Runner.list(out);
        if (runs.isEmpty()) {
            System.out.println("no runs in " + out + "; start one with kiln run experiments/fashion-mlp.yaml");
            return 0;
        }
        String fmt = "%-40s %-10s %6s %9s %9s %9s %8s%n";
        System.out.printf(fmt, "RUN", "STATUS", "EPOCHS", "TEST_ACC", "BEST_VAL", "WALL_S", "IMG/S");
        for (Map<String, Object> r : runs) {
            System.out.printf(fmt, r.get("run"), r.get("status"), num(r.get("epochs"), "%.0f"), num(r.get("test_accuracy"), "%.4f"),
                    num(r.get("best_val_accuracy"), "%.4f"), num(r.get("wall_seconds"), "%.1f"), num(r.get("train_images_per_second"), "%.0f"));
        }
        return 0;
    }

    private static String num(Object v, String fmt) {
        return v instanceof Number n ? String.format(fmt, n.doubleValue()) : "-";
    }
}
