package dev.kiln.run;

import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoint layout of a run directory, all safetensors:
 * <pre>
 * checkpoints/LATEST                        name of the newest complete checkpoint, e.g. "step-00000420"
 * checkpoints/step-00000420/model.safetensors      parameters and buffers under their model names ("0.weight")
 * checkpoints/step-00000420/optimizer.safetensors  optimizer state ("0.weight.exp_avg", "@group.0.lr")
 * checkpoints/step-00000420/state.safetensors      cursor.epoch/batch/step, rng.counter, schedule.*, trainer.*
 * checkpoints/best/model.safetensors                weights saved under a tag
 * model.safetensors                                 the final weights
 * </pre>
 * A checkpoint folder is written completely before {@code LATEST} names it (atomically), then older ones go.
 */
final class Checkpoints {

    static final String FORMAT = "kiln-checkpoint-1";

    private Checkpoints() {
    }

    static Path root(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /** Writes files into a new checkpoint folder and makes it the latest; returns the folder. */
    static Path commit(Path runDir, long step, Map<String, List<StoredTensor>> files, Map<String, Map<String, String>> metadata)
            throws IOException {
        Path root = root(runDir);
        Files.createDirectories(root);
        String name = String.format("step-%08d", step);
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        for (Map.Entry<String, List<StoredTensor>> f : files.entrySet()) {
            Safetensors.write(dir.resolve(f.getKey() + ".safetensors"), f.getValue(),
                    metadata.getOrDefault(f.getKey(), Map.of("format", FORMAT)));
        }
        Path tmp = root.resolve("LATEST.tmp");
        Files.writeString(tmp, name + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, root.resolve("LATEST"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> old = Files.list(root)) {
            for (Path p : (Iterable<Path>) old.filter(p -> p.getFileName().toString().startsWith("step-")
                    && !p.getFileName().toString().equals(name))::iterator) {
                deleteTree(p);
            }
        }
        return dir;
    }

    /** The newest complete checkpoint folder. */
    static Path latest(Path runDir) throws IOException {
        Path pointer = root(runDir).resolve("LATEST");
        if (!Files.exists(pointer)) {
            throw new IllegalArgumentException(runDir + " has no checkpoint (no checkpoints/LATEST); the run stopped before its"
                    + " first checkpoint: start it again with kiln run SPEC");
        }
        return root(runDir).resolve(Files.readString(pointer, StandardCharsets.UTF_8).strip());
    }

    static SafetensorsFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("checkpoint file " + file + " is missing; the checkpoint is incomplete");
        }
        return Safetensors.read(file);
    }

    static List<StoredTensor> store(Map<String, Tensor> tensors) {
        List<StoredTensor> out = new ArrayList<>();
        tensors.forEach((k, t) -> out.add(StoredTensors.store(k, t)));
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
