package dev.kiln.runtime;

import org.osgi.framework.Bundle;

import java.nio.file.Path;
import java.util.List;

/** One installed plugin bundle and its lease count; a retired bundle takes no new leases. */
final class PluginBundle {

    /** A {@code kiln.kind}/{@code kiln.name} pair a bundle provides. */
    record Provided(String kind, String name) {
        @Override
        public String toString() {
            return kind + " '" + name + "'";
        }
    }

    final Path jar;
    final String sha256;
    final Bundle bundle;
    final List<Provided> provides;
    private final PluginId id;
    private int leases;
    private boolean retired;
    private boolean uninstalled;

    PluginBundle(Path jar, String sha256, Bundle bundle, PluginId id, List<Provided> provides) {
        this.jar = jar;
        this.sha256 = sha256;
        this.bundle = bundle;
        this.id = id;
        this.provides = List.copyOf(provides);
    }

    PluginId id() {
        return id;
    }

    synchronized boolean tryLease() {
        if (retired || uninstalled) {
            return false;
        }
        leases++;
        return true;
    }

    /** @return true when this release drained a retired bundle, which the caller must now uninstall */
    synchronized boolean release() {
        leases--;
        return retired && leases == 0 && !uninstalled;
    }

    /** @return true when no lease holds the bundle, which the caller must now uninstall */
    synchronized boolean retire() {
        retired = true;
        return leases == 0 && !uninstalled;
    }

    synchronized boolean markUninstalled() {
        if (uninstalled) {
            return false;
        }
        uninstalled = true;
        return true;
    }

    synchronized int leases() {
        return leases;
    }

    synchronized boolean isRetired() {
        return retired;
    }

    synchronized String state() {
        return uninstalled ? "uninstalled" : retired ? "draining" : "active";
    }
}
