package dev.kiln.run;

import dev.kiln.proto.v1.ExperimentSpec;

import java.util.Map;

/**
 * A parsed spec with where it came from: the file and the line of every path in it (0 for values set with
 * {@code --set}), so that later checks can point at the document.
 */
public record SpecDocument(ExperimentSpec spec, String file, Map<String, Integer> lineOf) {

    public SpecDocument {
        lineOf = Map.copyOf(lineOf);
    }

    /** {@code "file:line: path: "} for a document path (the nearest enclosing path that has a line). */
    public String where(String path) {
        return new Lines(file, lineOf).where(path);
    }

    /** Prefixes a message that starts with a document path (as plugin parameter errors do) with file and line. */
    public String locate(String message) {
        int colon = message.indexOf(": ");
        if (colon > 0) {
            String path = message.substring(0, colon);
            if (!path.contains(" ") && (lineOf.containsKey(path) || lineOf.containsKey(parent(path)))) {
                return where(path) + message.substring(colon + 2);
            }
        }
        return file + ": " + message;
    }

    private static String parent(String path) {
        int dot = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return dot < 0 ? "" : path.substring(0, dot);
    }

    record Lines(String file, Map<String, Integer> lineOf) {
        String where(String path) {
            String p = path;
            while (!p.isEmpty() && !lineOf.containsKey(p)) {
                p = parent(p);
            }
            Integer line = lineOf.get(p);
            String at = line == null ? file : line == 0 ? file + " (--set)" : file + ":" + line;
            return at + ": " + (path.isEmpty() ? "" : path + ": ");
        }
    }
}
