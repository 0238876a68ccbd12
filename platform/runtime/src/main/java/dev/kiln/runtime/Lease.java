package dev.kiln.runtime;

import org.osgi.framework.ServiceReference;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run's hold on one plugin service of an exact bundle version. While any lease on a bundle is open
 * the bundle stays installed, even after a newer version arrived or its jar was removed; closing the
 * last lease of a retired bundle uninstalls it. Record {@link #plugin()} in the run record.
 *
 * <pre>{@code
 * try (Lease<OptimizerFactory> adam = registry.acquire(OptimizerFactory.class, "optimizer", PluginRef.parse("adam@[1.2,2)"), runId)) {
 *     record.plugin(adam.plugin());           // dev.example.optim@1.2.3
 *     Optimizer opt = adam.service().create(params, hyper);
 * }
 * }</pre>
 */
public final class Lease<T> implements AutoCloseable {

    private final PluginRegistry registry;
    private final PluginBundle bundle;
    private final String kind;
    private final String name;
    private final String holder;
    private final Instant acquiredAt = Instant.now();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile T service;
    private volatile ServiceReference<?> reference;

    Lease(PluginRegistry registry, PluginBundle bundle, String kind, String name, String holder, T service, ServiceReference<?> reference) {
        this.reference = reference;
        this.registry = registry;
        this.bundle = bundle;
        this.kind = kind;
        this.name = name;
        this.holder = holder;
        this.service = service;
    }

    /** The plugin's factory service; valid until {@link #close()}. */
    public T service() {
        T s = service;
        if (s == null) {
            throw new IllegalStateException("lease on " + name + " (" + plugin() + ") is closed");
        }
        return s;
    }

    /** The exact bundle the service comes from, {@code symbolicName@version}. */
    public PluginId plugin() {
        return bundle.id();
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** Who holds the lease, e.g. a run id. */
    public String holder() {
        return holder;
    }

    public Instant acquiredAt() {
        return acquiredAt;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    ServiceReference<?> takeReference() {
        ServiceReference<?> r = reference;
        reference = null;
        return r;
    }

    PluginBundle bundle() {
        return bundle;
    }

    /** Releases the service; idempotent. The last lease of a retired version uninstalls it. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            service = null;
            registry.release(this);
        }
    }

    @Override
    public String toString() {
        return kind + " " + name + " from " + plugin() + " held by " + holder + (isOpen() ? "" : " (closed)");
    }
}
