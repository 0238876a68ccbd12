package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * MNIST handwritten digits (LeCun et al. 1998): 60,000 training and 10,000 test images of 1×28×28
 * pixels in [0, 1], classes "0".."9". Same files and parameters as {@code fashion-mnist}.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=mnist"})
public final class MnistFactory implements DatasetFactory {

    @Override
    public Dataset create(Params params, DatasetContext context) {
        return IdxDatasets.load("mnist", IdxDatasets.DIGITS, params, context);
    }
}
