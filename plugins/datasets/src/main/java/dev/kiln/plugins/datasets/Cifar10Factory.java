package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 (Krizhevsky 2009), binary version ({@code cifar-10-batches-bin}: {@code data_batch_1..5.bin},
 * {@code test_batch.bin}): 50,000 training and 10,000 test images of 3×32×32 in [0, 1], 10 classes.
 * Parameters: {@code validation_fraction}, {@code transforms}.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=cifar10"})
public final class Cifar10Factory implements DatasetFactory {

    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
            "ship", "truck");

    @Override
    public Dataset create(Params params, DatasetContext context) {
        String[] trainFiles = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
        List<String> required = new ArrayList<>(List.of(trainFiles));
        required.add("test_batch.bin");
        Path dir = context.locate("cifar10", required.toArray(String[]::new));
        List<Path> train = new ArrayList<>();
        for (String f : trainFiles) {
            train.add(DataFiles.find(dir, f));
        }
        Examples tr = CifarBinary.read(train, 1, 0, 10);
        Examples te = CifarBinary.read(List.of(DataFiles.find(dir, "test_batch.bin")), 1, 0, 10);
        return InMemoryDataset.create("cifar10", new int[] {3, 32, 32},
                CifarBinary.names(dir.resolve("batches.meta.txt"), CLASSES, 10), tr, te, params, context.seed());
    }
}
