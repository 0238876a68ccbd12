package dev.kiln.server;

import dev.kiln.proto.v1.Plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the server's plugin runtime knows: per plugin jar, the services it registers ({@code kind/name@version}) with
 * the leases open on them and who holds them. {@code PluginService.ListPlugins} reports it; the server module has no
 * plugin runtime of its own, so {@code kiln serve} supplies one over its in-process worker's registry.
 */
public interface PluginCatalog {

    /** Jar file → its components, for every plugin jar the runtime has installed (core plugins included). */
    Map<Path, List<Plugin.Component>> components();

    PluginCatalog NONE = Map::of;
}
