package dev.kiln.server;

import com.google.gson.Gson;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kiln.proto.v1.ExperimentSpec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.Map;

/**
 * YAML or JSON text → {@link ExperimentSpec} (YAML → JSON → {@link JsonFormat}) with safe YAML only (no tags, no
 * aliases bombs, bounded size). The run module's SpecLoader gives richer messages (lines, suggestions) and is what
 * {@code kiln submit} uses on the client; this is the server-side minimum.
 */
public final class SpecFiles {

    private SpecFiles() {
    }

    public static ExperimentSpec parse(String text, String file) {
        if (text.length() > SpecValidator.MAX_SPEC_BYTES * 4) {
            throw new IllegalArgumentException(file + ": " + text.length() + " characters; a spec is at most " + SpecValidator.MAX_SPEC_BYTES + " bytes");
        }
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setMaxAliasesForCollections(10);
        o.setNestingDepthLimit(20);
        o.setCodePointLimit(SpecValidator.MAX_SPEC_BYTES * 4);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(o)).load(text);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            root = Map.of();
        }
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException(file + ": expected a mapping at the top (name:, trainer:, ...), got " + root.getClass().getSimpleName());
        }
        if (!shallow(root, 0)) {
            throw new IllegalArgumentException(file + ": nested deeper than 32 levels, or refers to itself through a YAML anchor; a spec is a plain tree");
        }
        String json;
        try {
            json = new Gson().toJson(root);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot convert to JSON: " + e.getMessage());
        }
        ExperimentSpec.Builder b = ExperimentSpec.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": does not match kiln.v1.ExperimentSpec: " + firstLine(e.getMessage()));
        }
        return b.build();
    }

    /** A tree no deeper than 32 (a YAML anchor can make a list contain itself: that never ends). */
    private static boolean shallow(Object node, int depth) {
        if (depth > 32) {
            return false;
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!shallow(e.getKey(), depth + 1) || !shallow(e.getValue(), depth + 1)) {
                    return false;
                }
            }
        } else if (node instanceof Iterable<?> l) {
            for (Object o : l) {
                if (!shallow(o, depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
