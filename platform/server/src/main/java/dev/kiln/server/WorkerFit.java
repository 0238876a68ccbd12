package dev.kiln.server;

import dev.kiln.proto.v1.Capabilities;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.LayerSpec;
import dev.kiln.proto.v1.ModelSpec;
import dev.kiln.proto.v1.PluginRef;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a worker can run a spec, judged from what it registered ({@link Capabilities}): the backend the spec names
 * (a GPU backend needs a worker with a GPU) and every plugin the spec names, in its pinned version range. The
 * coordinator leases a run only to a worker that fits; a run no connected worker fits waits and says why.
 */
final class WorkerFit {

    /** Backends that run on a GPU. */
    private static final Set<String> GPU_BACKENDS = Set.of("cuda");

    private WorkerFit() {
    }

    /** One plugin a spec needs: a kind (or two, for a layer that may be an activation), a name, a version range. */
    record Need(List<String> kinds, String name, String range) {
        @Override
        public String toString() {
            return kinds.get(0) + "/" + name + (range.isEmpty() ? "" : "@" + range);
        }
    }

    /** The plugins a spec names. */
    static List<Need> needs(ExperimentSpec spec) {
        List<Need> out = new ArrayList<>();
        if (!spec.getTrainer().getName().isEmpty()) {
            out.add(new Need(List.of("trainer"), spec.getTrainer().getName(), spec.getTrainer().getVersion()));
        }
        ref(out, "dataset", spec.hasDataset() ? spec.getDataset() : null);
        ref(out, "loss", spec.hasLoss() ? spec.getLoss() : null);
        ref(out, "optimizer", spec.hasOptimizer() ? spec.getOptimizer() : null);
        ref(out, "schedule", spec.hasSchedule() ? spec.getSchedule() : null);
        spec.getOptimizersMap().values().forEach(r -> ref(out, "optimizer", r));
        List<ModelSpec> models = new ArrayList<>();
        if (spec.hasModel()) {
            models.add(spec.getModel());
        }
        models.addAll(spec.getModelsMap().values());
        for (ModelSpec m : models) {
            for (LayerSpec l : m.getLayersList()) {
                if (!l.getName().isEmpty()) {
                    out.add(new Need(List.of("layer", "activation"), l.getName(), l.getVersion()));
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static void ref(List<Need> out, String kind, PluginRef r) {
        if (r != null && !r.getName().isEmpty()) {
            out.add(new Need(List.of(kind), r.getName(), r.getVersion()));
        }
    }

    /** The backends a worker offers: its list, else its one backend plus the always-present reference backend. */
    static Set<String> backends(Capabilities c) {
        Set<String> out = new LinkedHashSet<>(c.getBackendsList());
        if (out.isEmpty()) {
            if (!c.getBackend().isEmpty()) {
                out.add(c.getBackend());
            }
            out.add("java");
        }
        return out;
    }

    /** Null if the worker can run the spec, else what it lacks, e.g. {@code backend 'cuda' (has java, cpu)}. */
    static String lacks(ExperimentSpec spec, Capabilities c) {
        List<String> missing = new ArrayList<>();
        String backend = spec.getBackend();
        if (!backend.isEmpty()) {
            if (GPU_BACKENDS.contains(backend) && !c.getGpu()) {
                missing.add("a GPU for backend '" + backend + "'");
            } else if (!backends(c).contains(backend)) {
                missing.add("backend '" + backend + "' (has " + String.join(", ", backends(c)) + ")");
            }
        }
        if (c.getComponentsCount() > 0) {
            for (Need n : needs(spec)) {
                if (!has(c.getComponentsList(), n)) {
                    missing.add("plugin " + n);
                }
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    private static boolean has(List<String> components, Need n) {
        for (String comp : components) {
            int slash = comp.indexOf('/');
            int at = comp.lastIndexOf('@');
            if (slash <= 0 || at <= slash) {
                continue;
            }
            if (n.kinds().contains(comp.substring(0, slash)) && comp.substring(slash + 1, at).equals(n.name())
                    && inRange(comp.substring(at + 1), n.range())) {
                return true;
            }
        }
        return false;
    }

    /**
     * OSGi version-range semantics: empty matches any version, {@code 1.2} means at least 1.2, {@code [1.2,2)} and
     * its variants bound both sides. A range that does not parse matches nothing (the worker reports it when it runs).
     */
    static boolean inRange(String version, String range) {
        range = range.strip();
        if (range.isEmpty()) {
            return true;
        }
        try {
            int[] v = parse(version);
            char open = range.charAt(0);
            if (open != '[' && open != '(') {
                return compare(v, parse(range)) >= 0;
            }
            char close = range.charAt(range.length() - 1);
            String[] ends = range.substring(1, range.length() - 1).split(",");
            if (ends.length != 2 || (close != ']' && close != ')')) {
                return false;
            }
            int lo = compare(v, parse(ends[0].strip()));
            int hi = compare(v, parse(ends[1].strip()));
            return (open == '[' ? lo >= 0 : lo > 0) && (close == ']' ? hi <= 0 : hi < 0);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** major.minor.micro; the qualifier is ignored. */
    private static int[] parse(String v) {
        String[] p = v.strip().split("\\.");
        int[] out = new int[3];
        for (int i = 0; i < Math.min(3, p.length); i++) {
            out[i] = Integer.parseInt(p[i]);
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
