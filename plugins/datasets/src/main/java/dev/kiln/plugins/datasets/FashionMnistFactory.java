package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist):
 * 60,000 training and 10,000 test images of 1×28×28 pixels in [0, 1], 10 classes of clothing.
 * Parameters: {@code validation_fraction} (default 0), {@code transforms}.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=fashion-mnist"})
public final class FashionMnistFactory implements DatasetFactory {

    @Override
    public Dataset create(Params params, DatasetContext context) {
        return IdxDatasets.load("fashion-mnist", IdxDatasets.FASHION_CLASSES, params, context);
    }
}
