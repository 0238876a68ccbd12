package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-100 (Krizhevsky 2009), binary version ({@code cifar-100-binary}: {@code train.bin},
 * {@code test.bin}; each record holds a coarse and a fine label): 50,000 training and 10,000 test
 * images of 3×32×32 in [0, 1]. Parameters: {@code label: fine} (100 classes, default) or {@code coarse}
 * (20 superclasses), {@code validation_fraction}, {@code transforms}. Class names come from
 * {@code fine_label_names.txt} / {@code coarse_label_names.txt} when present.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=cifar100"})
public final class Cifar100Factory implements DatasetFactory {

    @Override
    public Dataset create(Params params, DatasetContext context) {
        String label = params == null ? "fine" : params.getString("label", "fine");
        boolean fine = switch (label) {
            case "fine" -> true;
            case "coarse" -> false;
            default -> throw new IllegalArgumentException(params.path() + ".label: expected \"fine\" or \"coarse\", got \"" + label + "\"");
        };
        int classes = fine ? 100 : 20;
        int labelIndex = fine ? 1 : 0;
        Path dir = context.locate("cifar100", "train.bin", "test.bin");
        Examples tr = CifarBinary.read(List.of(DataFiles.find(dir, "train.bin")), 2, labelIndex, classes);
        Examples te = CifarBinary.read(List.of(DataFiles.find(dir, "test.bin")), 2, labelIndex, classes);
        List<String> names = CifarBinary.names(dir.resolve(fine ? "fine_label_names.txt" : "coarse_label_names.txt"), List.of(), classes);
        return InMemoryDataset.create("cifar100", new int[] {3, 32, 32}, names, tr, te, params, context.seed());
    }
}
