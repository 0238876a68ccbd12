package dev.kiln.api.train;

import org.osgi.annotation.versioning.ProviderType;

import java.util.Iterator;

/**
 * The batches of one epoch of one split, in the run's seeded order, read ahead on a background thread.
 * Close it to stop the reader.
 */
@ProviderType
public interface MiniBatches extends Iterator<MiniBatch>, AutoCloseable {

    /** Batches in the whole epoch. */
    int count();

    /** Index of the batch {@link #next()} returns next. */
    int cursor();

    @Override
    void close();
}
