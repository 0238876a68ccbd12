/**
 * Trainers as plugins: a {@link dev.kiln.api.train.Trainer} owns the loop (supervised, GAN, VAE, ...)
 * and gets everything else from the host through a {@link dev.kiln.api.train.TrainingRun}: the built
 * models, the loss, optimizers over the parameters it chooses, the schedule, batches with a
 * resumable cursor, a reporter for metrics, and checkpoints.
 */
@Export
@Version("1.0.0")
package dev.kiln.api.train;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
