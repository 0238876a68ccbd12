package dev.kiln.cli;

import dev.kiln.proto.v1.Plugin;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginInfo;
import dev.kiln.runtime.PluginRegistry;
import dev.kiln.server.PluginCatalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code PluginService.ListPlugins} over a live {@link PluginRegistry}: every plugin service with its bundle version
 * (draining old versions too) and the leases open on it, named by the runs holding them.
 */
final class RegistryCatalog implements PluginCatalog {

    /** Runner lease holders: a worker attempt's run directory, or {@code NAME (resumed)}, {@code NAME (check)}. */
    private static final Pattern HOLDER = Pattern.compile("(.*?)(?: \\((resumed|check|eval)\\))?");

    private final PluginRegistry registry;

    RegistryCatalog(PluginRegistry registry) {
        this.registry = registry;
    }

    /** A lease holder as a run name: the worker names run directories after their runs. */
    static String runName(String holder) {
        Matcher m = HOLDER.matcher(holder);
        m.matches();
        String base = m.group(1);
        String id = Path.of(base).getFileName() == null ? base : Path.of(base).getFileName().toString();
        return m.group(2) != null && !m.group(2).equals("resumed") ? id + " (" + m.group(2) + ")" : "runs/" + id;
    }

    @Override
    public Map<Path, List<Plugin.Component>> components() {
        Map<String, List<String>> holders = new TreeMap<>();
        for (Lease<?> l : registry.leases()) {
            if (l.isOpen()) {
                holders.computeIfAbsent(l.kind() + "/" + l.name() + "@" + l.plugin().version(), k -> new ArrayList<>()).add(runName(l.holder()));
            }
        }
        Map<Path, List<Plugin.Component>> out = new LinkedHashMap<>();
        for (PluginInfo i : registry.list()) {
            List<String> h = holders.getOrDefault(i.kind() + "/" + i.name() + "@" + i.version(), List.of());
            out.computeIfAbsent(i.jar(), j -> new ArrayList<>()).add(Plugin.Component.newBuilder().setKind(i.kind()).setName(i.name())
                    .setVersion(i.version()).setLeases(h.size()).addAllHolders(h.stream().sorted().toList()).build());
        }
        return out;
    }
}
