package dev.kiln.api.data;

import org.osgi.annotation.versioning.ProviderType;

import java.nio.file.Path;

/**
 * What a dataset factory gets from the host. Specs never carry paths: the host decides where data
 * lives ({@code --data DIR}, {@code $KILN_DATA}, {@code ~/.kiln/data}, system locations) and says so
 * when nothing is found.
 */
@ProviderType
public interface DatasetContext {

    /**
     * The directory holding the named dataset's files (e.g. {@code "fashion-mnist"}), searched in the
     * host's order.
     *
     * @throws IllegalStateException naming the directories searched and how to install the data
     */
    Path locate(String datasetName, String... requiredFiles);

    /** The run's seed, for the train/validation split. */
    long seed();
}
