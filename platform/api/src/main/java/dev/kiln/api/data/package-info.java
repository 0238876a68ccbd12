/**
 * Datasets as plugins: examples addressed by split and index, read into caller-owned arrays so the
 * host can prefetch batches on a background thread while the trainer computes.
 */
@Export
@Version("1.0.0")
package dev.kiln.api.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
