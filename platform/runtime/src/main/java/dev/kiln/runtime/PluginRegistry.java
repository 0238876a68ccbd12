package dev.kiln.runtime;

import dev.kiln.api.plugin.PluginKind;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Chooses plugin versions and hands out leases. Resolves {@code (kind, name, version range)} over
 * the DS services that plugin bundles register with {@code kiln.kind} and {@code kiln.name} to the
 * highest matching bundle version. Declarative Services never moves a consumer to a newer version by
 * itself (DESIGN §2): this registry does, one lease at a time.
 *
 * <p>Installing and uninstalling happen on the runtime's single plugin thread; {@link #acquire} and
 * {@link Lease#close()} may be called from any thread.
 */
public final class PluginRegistry {

    public static final String KIND = PluginKind.KIND_PROPERTY;
    public static final String NAME = PluginKind.NAME_PROPERTY;

    private static final System.Logger LOG = System.getLogger("dev.kiln.runtime");

    private final BundleContext system;
    private final Executor pluginThread;
    private final PluginListener listener;
    private final Map<Long, PluginBundle> bundles = new ConcurrentHashMap<>();
    private final Set<Lease<?>> leases = ConcurrentHashMap.newKeySet();

    PluginRegistry(BundleContext system, Executor pluginThread, PluginListener listener) {
        this.system = system;
        this.pluginThread = pluginThread;
        this.listener = listener;
    }

    // ---------------------------------------------------------------- lookups

    /**
     * Leases the highest version of plugin {@code ref} of {@code kind} that is in the pinned range.
     *
     * @param type   the factory service interface from the API, e.g. {@code OptimizerFactory.class}
     * @param kind   the {@code kiln.kind} value, e.g. {@code optimizer}
     * @param holder who holds the lease (a run id), shown by {@code kiln plugins list}
     * @throws PluginException when nothing matches, naming what is installed
     */
    public <T> Lease<T> acquire(Class<T> type, String kind, PluginRef ref, String holder) {
        for (int attempt = 0; attempt < 8; attempt++) {
            List<Candidate> candidates = candidates(type.getName(), kind, ref);
            if (candidates.isEmpty()) {
                throw new PluginException(notFound(kind, ref));
            }
            Candidate best = candidates.get(0);
            if (!best.bundle.tryLease()) {
                continue; // retired between the lookup and the lease: look again
            }
            Object service;
            try {
                service = system.getService(best.reference);
            } catch (RuntimeException e) {
                service = null;
            }
            if (service == null) {
                releaseCount(best.bundle);
                if (best.bundle.isRetired() || best.bundle.bundle.getState() != Bundle.ACTIVE) {
                    continue;
                }
                throw new PluginException(kind + " '" + ref.name() + "' from " + best.bundle.id() + " could not be created: "
                        + String.join("; ", ScrDiagnostics.failures(system, best.bundle.bundle)));
            }
            if (!type.isInstance(service)) {
                system.ungetService(best.reference);
                releaseCount(best.bundle);
                throw new PluginException(kind + " '" + ref.name() + "' from " + best.bundle.id() + " is a "
                        + service.getClass().getName() + " loaded by " + service.getClass().getClassLoader()
                        + ", not the host's " + type.getName() + "; the plugin must import dev.kiln.api, never embed it");
            }
            Lease<T> lease = new Lease<>(this, best.bundle, kind, ref.name(), holder, type.cast(service), best.reference);
            leases.add(lease);
            return lease;
        }
        throw new PluginException(kind + " '" + ref + "' kept changing while being leased; try again");
    }

    /** {@link #acquire(Class, String, PluginRef, String)} for one of the API's plugin kinds. */
    public <T> Lease<T> acquire(Class<T> type, PluginKind kind, PluginRef ref, String holder) {
        return acquire(type, kind.id(), ref, holder);
    }

    /** The version {@link #acquire} would pick now, without leasing it. */
    public Optional<PluginId> resolve(String kind, PluginRef ref) {
        List<Candidate> c = candidates(null, kind, ref);
        return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0).bundle.id());
    }

    /** Every plugin service of every installed bundle, draining ones included, sorted by kind, name, version. */
    public List<PluginInfo> list() {
        List<PluginInfo> out = new ArrayList<>();
        for (PluginBundle b : bundles.values()) {
            for (PluginBundle.Provided p : b.provides) {
                out.add(new PluginInfo(p.kind(), p.name(), b.id().version().toString(), b.id().symbolicName(), b.state(), b.leases(), b.jar));
            }
        }
        out.sort(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::name)
                .thenComparing(i -> Version.parseVersion(i.version())));
        return out;
    }

    /** The open leases. */
    public List<Lease<?>> leases() {
        return List.copyOf(leases);
    }

    /** Installed plugin bundles (active and draining). */
    public List<PluginId> installed() {
        return bundles.values().stream().map(PluginBundle::id).sorted().toList();
    }

    private record Candidate(PluginBundle bundle, ServiceReference<?> reference) {
    }

    private List<Candidate> candidates(String typeName, String kind, PluginRef ref) {
        ServiceReference<?>[] refs;
        try {
            refs = system.getAllServiceReferences(typeName, "(&(" + KIND + "=" + escape(kind) + ")(" + NAME + "=" + escape(ref.name()) + "))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad plugin id '" + ref.name() + "': " + e.getMessage(), e);
        }
        List<Candidate> out = new ArrayList<>();
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                Bundle b = r.getBundle();
                PluginBundle pb = b == null ? null : bundles.get(b.getBundleId());
                if (pb != null && !pb.isRetired() && ref.range().includes(pb.id().version())) {
                    out.add(new Candidate(pb, r));
                }
            }
        }
        out.sort(Comparator.comparing((Candidate c) -> c.bundle.id().version()).reversed());
        return out;
    }

    private String notFound(String kind, PluginRef ref) {
        Set<String> sameName = new TreeSet<>();
        Set<String> names = new TreeSet<>();
        for (PluginBundle b : bundles.values()) {
            for (PluginBundle.Provided p : b.provides) {
                if (p.kind().equals(kind) && !b.isRetired()) {
                    names.add(p.name());
                    if (p.name().equals(ref.name())) {
                        sameName.add(b.id().toString());
                    }
                }
            }
        }
        if (!sameName.isEmpty()) {
            return "no version of " + kind + " '" + ref.name() + "' is in " + ref.range() + "; installed: " + sameName
                    + ". Fix: widen the pin or drop a jar with a matching Bundle-Version into the plugin folder";
        }
        String close = names.stream().filter(n -> distance(n, ref.name()) <= 2).findFirst().map(n -> " — did you mean '" + n + "'?").orElse("");
        return "unknown " + kind + " '" + ref.name() + "'" + close + " Installed " + kind + "s: " + (names.isEmpty() ? "none" : names)
                + ". Fix: check the name, or drop a plugin jar providing it into the plugin folder";
    }

    // ---------------------------------------------------------------- leases

    void release(Lease<?> lease) {
        leases.remove(lease);
        ServiceReference<?> ref = lease.takeReference();
        if (ref != null) {
            try {
                system.ungetService(ref);
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // framework already stopped
            }
        }
        releaseCount(lease.bundle());
    }

    private void releaseCount(PluginBundle b) {
        if (b.release()) {
            pluginThread.execute(() -> uninstall(b));
        }
    }

    // ---------------------------------------------------------------- install / retire (plugin thread)

    /** Installs, starts and validates one jar; on any failure the framework is left as it was. */
    Installed install(Path jar, byte[] content, String sha256, PluginBundle replacing) {
        if (content.length < 4 || content[0] != 'P' || content[1] != 'K') {
            return problem(jar, PluginProblem.Kind.NOT_A_BUNDLE, "it is not a jar (no zip header; " + content.length + " bytes)",
                    "build the plugin with bnd-maven-plugin (see tools/plugin-template) and copy the finished jar in with `kiln plugins install`");
        }
        Manifest mf;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(content))) {
            mf = in.getManifest();
        } catch (IOException e) {
            return problem(jar, PluginProblem.Kind.NOT_A_BUNDLE, "it is not a readable jar (" + e.getMessage() + ")",
                    "build the plugin with bnd-maven-plugin (see tools/plugin-template) and copy the finished jar in with `kiln plugins install`");
        }
        Attributes main = mf == null ? null : mf.getMainAttributes();
        String bsnHeader = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsnHeader == null || !"2".equals(main.getValue(Constants.BUNDLE_MANIFESTVERSION))) {
            return problem(jar, PluginProblem.Kind.NOT_A_BUNDLE,
                    mf == null ? "the jar has no META-INF/MANIFEST.MF" : "its manifest has no Bundle-SymbolicName / Bundle-ManifestVersion: 2 headers",
                    "a plugin is an OSGi bundle: build it with bnd-maven-plugin as tools/plugin-template does");
        }
        PluginId id;
        try {
            id = new PluginId(bsnHeader.split(";")[0].strip(), Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION)));
        } catch (IllegalArgumentException e) {
            return problem(jar, PluginProblem.Kind.NOT_A_BUNDLE, "bad Bundle-Version: " + e.getMessage(), "use a version such as 1.2.0");
        }
        for (PluginBundle other : bundles.values()) {
            if (other == replacing && other.id().equals(id) && other.leases() == 0) {
                retire(other); // the same version rebuilt in place, and nobody uses the old build: replace it
                continue;
            }
            if (other.id().equals(id)) {
                return problem(jar, PluginProblem.Kind.DUPLICATE, id + " is already installed from " + other.jar.getFileName()
                                + (other.leases() > 0 ? " and in use by " + other.leases() + " lease(s)" : ""),
                        "bump Bundle-Version (a plugin version is immutable once installed) or remove the other jar");
            }
        }
        Bundle bundle;
        try {
            bundle = system.installBundle("kiln-plugin:" + jar.getFileName() + "#" + sha256.substring(0, 16), new ByteArrayInputStream(content));
        } catch (BundleException e) {
            return problem(jar, PluginProblem.Kind.INSTALL_FAILED, "the framework refused it: " + e.getMessage(),
                    "rebuild it with bnd-maven-plugin; check its manifest headers");
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            removeQuietly(bundle);
            if (e.getType() == BundleException.RESOLVE_ERROR) {
                return problem(jar, PluginProblem.Kind.UNRESOLVED, unresolvedCause(e),
                        "a plugin may import only dev.kiln.api.* and java.*: embed other libraries in the jar (bnd -conditionalpackage"
                                + " or -includeresource) or drop them, and build against the kiln-api version this Kiln exports");
            }
            return problem(jar, PluginProblem.Kind.ACTIVATION_FAILED, "its bundle activator threw " + rootCause(e),
                    "plugins need no Bundle-Activator; use @Component classes whose constructors only store their arguments");
        } catch (RuntimeException e) {
            removeQuietly(bundle);
            return problem(jar, PluginProblem.Kind.ACTIVATION_FAILED, "starting it threw " + e, "see the cause; remove side effects from static initializers");
        }
        return validate(jar, sha256, bundle, id);
    }

    private Installed validate(Path jar, String sha256, Bundle bundle, PluginId id) {
        List<PluginBundle.Provided> provides = new ArrayList<>();
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        List<String> failures = new ArrayList<>();
        if (registered != null) {
            for (ServiceReference<?> r : registered) {
                Object kind = r.getProperty(KIND);
                Object name = r.getProperty(NAME);
                if (kind == null && name == null) {
                    continue;
                }
                if (!(kind instanceof String k) || !(name instanceof String n) || k.isBlank() || n.isBlank()) {
                    removeQuietly(bundle);
                    return problem(jar, PluginProblem.Kind.NO_PLUGINS, "a service has kiln.kind=" + kind + " and kiln.name=" + name,
                            "give every plugin component both properties as non-empty strings");
                }
                PluginBundle.Provided p = new PluginBundle.Provided(k, n);
                if (provides.contains(p)) {
                    removeQuietly(bundle);
                    return problem(jar, PluginProblem.Kind.DUPLICATE, "it registers " + p + " twice",
                            "give each component of the bundle its own kiln.name");
                }
                provides.add(p);
                // Force activation once, so a constructor or @Activate that throws is caught now, not mid-run.
                Object service = system.getService(r);
                if (service == null) {
                    failures.addAll(ScrDiagnostics.failures(system, bundle));
                    if (failures.isEmpty()) {
                        failures.add(p + " could not be created");
                    }
                } else {
                    system.ungetService(r);
                }
            }
        }
        if (!failures.isEmpty()) {
            removeQuietly(bundle);
            return problem(jar, PluginProblem.Kind.ACTIVATION_FAILED, String.join("; ", new LinkedHashSet<>(failures)),
                    "fix the component's constructor/@Activate method (it must not throw; validate hyper-parameters in create())");
        }
        if (provides.isEmpty()) {
            List<String> scr = ScrDiagnostics.failures(system, bundle);
            removeQuietly(bundle);
            return problem(jar, PluginProblem.Kind.NO_PLUGINS, "it registers no service with kiln.kind and kiln.name"
                            + (scr.isEmpty() ? "" : " (" + String.join("; ", scr) + ")"),
                    "annotate the factory with @Component(property = {\"kiln.kind=optimizer\", \"kiln.name=my-opt\"}) and build with bnd-maven-plugin");
        }
        for (PluginBundle other : bundles.values()) {
            if (other.isRetired() || other.id().symbolicName().equals(id.symbolicName())) {
                continue;
            }
            for (PluginBundle.Provided p : provides) {
                if (other.provides.contains(p)) {
                    removeQuietly(bundle);
                    return problem(jar, PluginProblem.Kind.DUPLICATE, p + " is already provided by " + other.id() + " (" + other.jar.getFileName() + ")",
                            "a plugin id belongs to one bundle symbolic name: rename kiln.name, or remove the other jar");
                }
            }
        }
        PluginBundle pb = new PluginBundle(jar, sha256, bundle, id, provides);
        bundles.put(bundle.getBundleId(), pb);
        LOG.log(System.Logger.Level.INFO, "installed {0} from {1}: {2}", id, jar.getFileName(), provides);
        listener.installed(id, jar);
        return new Installed(pb, null);
    }

    /** Stops new leases on {@code b}; uninstalls it now or when its last lease closes. */
    void retire(PluginBundle b) {
        boolean now = b.retire();
        listener.retired(b.id());
        if (now) {
            uninstall(b);
        } else {
            LOG.log(System.Logger.Level.INFO, "{0} draining: {1} lease(s) open", b.id(), b.leases());
        }
    }

    Collection<PluginBundle> bundles() {
        return bundles.values();
    }

    private void uninstall(PluginBundle b) {
        if (!b.markUninstalled()) {
            return;
        }
        bundles.remove(b.bundle.getBundleId());
        removeQuietly(b.bundle);
        LOG.log(System.Logger.Level.INFO, "uninstalled {0}", b.id());
        listener.uninstalled(b.id());
    }

    /** Uninstalls and refreshes, so the bundle's class loader can be collected. */
    private void removeQuietly(Bundle bundle) {
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "uninstalling " + bundle + " failed: " + e);
        }
        CountDownLatch refreshed = new CountDownLatch(1);
        try {
            system.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), event -> {
                if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                    refreshed.countDown();
                }
            });
            if (!refreshed.await(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "refresh after uninstalling " + bundle + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            // framework stopping
        }
    }

    private Installed problem(Path jar, PluginProblem.Kind kind, String cause, String fix) {
        PluginProblem p = new PluginProblem(jar, kind, cause, fix);
        LOG.log(System.Logger.Level.WARNING, p.message());
        listener.rejected(p);
        return new Installed(null, p);
    }

    /** The outcome of {@link #install}: a bundle or a problem. */
    record Installed(PluginBundle bundle, PluginProblem problem) {
    }

    private static String unresolvedCause(BundleException e) {
        String msg = String.valueOf(e.getMessage());
        int i = msg.indexOf("osgi.wiring.package; (");
        if (i >= 0) {
            String req = msg.substring(i + "osgi.wiring.package; ".length());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("osgi\\.wiring\\.package=([^)]+)\\)").matcher(req);
            String pkg = m.find() ? m.group(1) : req;
            java.util.regex.Matcher v = java.util.regex.Pattern.compile("\\(version>=([^)]+)\\)").matcher(req);
            String ver = v.find() ? " version >= " + v.group(1) : "";
            return "it imports package " + pkg + ver + " which nothing in the framework exports"
                    + (pkg.startsWith("dev.kiln.api") ? " (this Kiln's API is too old for it)" : " (not part of dev.kiln.api)")
                    + " — framework said: " + msg;
        }
        return "it cannot be resolved: " + msg;
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String summary(Collection<PluginBundle> bs) {
        return bs.stream().map(b -> b.id().toString()).collect(Collectors.joining(", "));
    }
}
