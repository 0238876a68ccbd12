/**
 * How plugins are found and configured: the service properties every plugin registers with, the
 * kinds of plugin, and typed hyper-parameters read from an experiment spec.
 */
@Export
@Version("1.0.0")
package dev.kiln.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
