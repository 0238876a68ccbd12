/**
 * Building blocks shared by layers, losses and optimizers. Later versions add the plugin SPIs
 * ({@code Layer}, {@code Loss}, {@code Optimizer}, ...), which are consumer types.
 */
@Export
@Version("1.0.0")
package dev.kiln.api.nn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
