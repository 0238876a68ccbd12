package dev.kiln.itests.plugins.echo;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.tensor.Tensor;

import java.util.Map;

final class EchoOptimizer implements Optimizer {

    private final String build;
    private long steps;
    private double lr = 0.1;

    EchoOptimizer(String build) {
        this.build = build;
    }

    @Override
    public void step() {
        steps++;
    }

    @Override
    public void zeroGrad() {
    }

    @Override
    public double learningRate(int group) {
        return lr;
    }

    @Override
    public void setLearningRate(int group, double learningRate) {
        lr = learningRate;
    }

    /** Loads a class this bundle has not loaded before: fails if the bundle's wiring is gone. */
    @Override
    public Map<String, Tensor> exportState() {
        return LateLoaded.state(steps);
    }

    @Override
    public void importState(Map<String, Tensor> state) {
    }

    @Override
    public String toString() {
        return "echo " + build + " after " + steps + " steps";
    }
}
