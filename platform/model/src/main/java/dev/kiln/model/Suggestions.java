package dev.kiln.model;

import dev.kiln.api.plugin.PluginKind;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;

/** "Did you mean" suggestions for unknown names, by edit distance. */
public final class Suggestions {

    private Suggestions() {
    }

    /** The closest candidate within a small edit distance, if any. */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        return candidates.stream()
                .filter(c -> distance(name, c) <= Math.max(2, name.length() / 3))
                .min(Comparator.comparingInt((String c) -> distance(name, c)).thenComparing(c -> c));
    }

    /** {@code optimizer "adamm" is not registered; did you mean "adam"? Registered: [...]} */
    public static String unknown(PluginKind kind, String name, Collection<String> registered) {
        String hint = closest(name, registered).map(c -> "; did you mean \"" + c + "\"?").orElse("");
        return "\"" + name + "\" is not a registered " + kind.id() + hint + " (registered " + kind.id() + "s: "
                + new TreeSet<>(registered) + ")";
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
