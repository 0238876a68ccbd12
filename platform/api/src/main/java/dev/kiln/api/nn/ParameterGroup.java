package dev.kiln.api.nn;

import dev.kiln.api.plugin.Params;

import java.util.List;

/**
 * Parameters that share optimizer settings: {@code overrides} replace the optimizer's own
 * hyper-parameters (e.g. a smaller learning rate for a pretrained trunk).
 */
public record ParameterGroup(String name, List<Parameter> parameters, Params overrides) {

    public ParameterGroup {
        parameters = List.copyOf(parameters);
    }
}
