package dev.kiln.cli;

import dev.kiln.run.RunOptions;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecDocument;
import dev.kiln.run.SpecLoader;
import dev.kiln.runtime.KilnRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every spec under {@code experiments/} parses, validates and names only plugins the core bundles register, and states
 * the result it is expected to reach: the specs are edited by hand after long runs, and nothing else would notice a typo.
 */
class CommittedExperimentsTest {

    @TempDir
    Path tmp;

    @Test
    void everyCommittedSpecValidatesAgainstTheCorePlugins() throws IOException {
        Path dir = Path.of("../../experiments").toAbsolutePath().normalize();
        List<Path> specs;
        try (Stream<Path> s = Files.list(dir)) {
            specs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(specs.size() >= 14, "experiments/ holds the supervised and generative specs: " + specs);
        List<String> problems = new ArrayList<>();
        try (KilnRuntime kiln = PluginRuntime.start(tmp.resolve("plugins"))) {
            Runner runner = new Runner(new RunOptions(null, tmp.resolve("runs"), 1, "java", 0, null), kiln.registry());
            for (Path spec : specs) {
                try {
                    SpecDocument doc = SpecLoader.load(spec, List.of());
                    runner.check(doc);
                    if (doc.spec().getExpectedResult().isBlank()) {
                        problems.add(spec.getFileName() + ": no expected_result");
                    }
                } catch (RuntimeException e) {
                    problems.add(spec.getFileName() + ": " + e.getMessage());
                }
            }
        }
        assertFalse(specs.isEmpty());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
