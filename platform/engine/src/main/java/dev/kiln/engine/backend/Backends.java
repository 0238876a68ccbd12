package dev.kiln.engine.backend;

import dev.kiln.engine.reference.ReferenceBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the backends on the host class path and picks one: the one the user named, or the
 * highest-ranked usable one. Naming a backend that cannot run is an error, never a silent fallback.
 */
public final class Backends {

    /** The outcome of a selection: the backend and why it was chosen. */
    public record Selection(Backend backend, String reason) {
    }

    private final List<BackendProvider> providers;

    public Backends(List<BackendProvider> providers) {
        List<BackendProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        this.providers = List.copyOf(sorted);
    }

    /** The providers registered through {@link ServiceLoader} plus the reference backend. */
    public static Backends discover() {
        List<BackendProvider> found = new ArrayList<>();
        found.add(new ReferenceProvider());
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            found.add(p);
        }
        return new Backends(found);
    }

    public List<BackendProvider> providers() {
        return providers;
    }

    /**
     * @param name    a backend name, or null/empty for the best available
     * @param threads threads to compute with (at least 1)
     * @throws IllegalArgumentException when the named backend is unknown or cannot run here
     */
    public Selection select(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (name != null && !name.isEmpty()) {
            for (BackendProvider p : providers) {
                if (p.name().equals(name)) {
                    String why = safeProbe(p);
                    if (why != null) {
                        throw new IllegalArgumentException("backend '" + name + "' cannot run here: " + why);
                    }
                    return new Selection(p.create(threads), "requested with --backend " + name);
                }
            }
            throw new IllegalArgumentException("unknown backend '" + name + "'; available: "
                    + providers.stream().map(BackendProvider::name).toList());
        }
        StringBuilder skipped = new StringBuilder();
        for (BackendProvider p : providers) {
            String why = safeProbe(p);
            if (why == null) {
                String reason = "highest-ranked usable backend" + (skipped.length() > 0 ? " (" + skipped + ")" : "");
                return new Selection(p.create(threads), reason);
            }
            skipped.append(skipped.length() > 0 ? "; " : "").append(p.name()).append(" unavailable: ").append(why);
        }
        throw new IllegalStateException("no usable backend: " + skipped);
    }

    private static String safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (Throwable t) {
            return t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    /** The pure-Java backend is always usable. */
    private static final class ReferenceProvider implements BackendProvider {
        @Override
        public String name() {
            return "java";
        }

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public String probe() {
            return null;
        }

        @Override
        public Backend create(int threads) {
            return new ReferenceBackend();
        }
    }
}
