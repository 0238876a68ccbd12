package dev.kiln.model.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the checks a conformance kit ran and keeps one line per failure, so a test can print
 * {@code conformance: N/M checks passed} and fail with every problem at once.
 */
public final class CheckTally {

    /** A check body; any exception it throws fails the check, with the exception's message. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private final String kit;
    private int passed;
    private int total;
    private final List<String> failures = new ArrayList<>();

    public CheckTally(String kit) {
        this.kit = kit;
    }

    /** Runs one named check and records its outcome. */
    public void check(String name, Body body) {
        total++;
        try {
            body.run();
            passed++;
        } catch (Exception | AssertionError e) {
            failures.add(name + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Records a check that could not run (e.g. a plugin without an example). */
    public void fail(String name, String why) {
        total++;
        failures.add(name + ": " + why);
    }

    public int passed() {
        return passed;
    }

    public int total() {
        return total;
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    public boolean allPassed() {
        return passed == total;
    }

    /** {@code <kit> conformance: N/M checks passed}, then one line per failure. */
    public String summary() {
        StringBuilder s = new StringBuilder(kit + " conformance: " + passed + "/" + total + " checks passed");
        for (String f : failures) {
            s.append("\n  FAILED ").append(f);
        }
        return s.toString();
    }

    /** Throws an AssertionError unless the check holds. */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
