package dev.kiln.run;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import dev.kiln.model.LossBuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.Model;
import dev.kiln.model.ModelBuilder;
import dev.kiln.model.PluginSource;
import dev.kiln.model.Suggestions;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.LayerSpec;
import dev.kiln.proto.v1.ModelSpec;
import dev.kiln.proto.v1.PluginRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A spec bound to a plugin source: checks every name and setting before any work starts ({@link #validate}),
 * then builds the pieces of a run. Errors are {@link SpecException}s naming file, line, path and fix.
 */
public final class Experiment {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final SpecDocument doc;
    private final ExperimentSpec spec;
    private final PluginSource plugins;

    public Experiment(SpecDocument doc, PluginSource plugins) {
        this.doc = doc;
        this.spec = doc.spec();
        this.plugins = plugins;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    public SpecDocument document() {
        return doc;
    }

    /** Checks the spec's settings and plugin names, reporting every problem at once. */
    public void checkNames() {
        List<String> problems = new ArrayList<>();
        if (!NAME.matcher(spec.getName()).matches()) {
            problems.add(doc.where("name") + (spec.getName().isEmpty() ? "required; add name: my-experiment"
                    : "\"" + spec.getName() + "\" must be lower-case letters, digits and dashes, e.g. \""
                    + spec.getName().toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "") + "\""));
        }
        if (modelNames().isEmpty()) {
            problems.add(doc.where("model") + "the model needs at least one layer; add model: {layers: [{name: linear, params: {out_features: 10}}]}"
                    + " (or name several under models: {generator: {layers: [...]}, discriminator: {layers: [...]}})");
        }
        if (spec.containsModels("model")) {
            problems.add(doc.where("models.model") + "\"model\" is reserved for the spec's model; write it as model: {layers: [...]}"
                    + " or pick another name");
        }
        for (String name : modelNames()) {
            ModelSpec m = modelSpec(name);
            String base = modelPath(name);
            if (m.getLayersCount() == 0) {
                problems.add(doc.where(base) + "the model needs at least one layer; add layers: [{name: linear, params: {out_features: 10}}]");
            }
            if (m.getInputShapeList().stream().anyMatch(d -> d < 1)) {
                problems.add(doc.where(base + ".input_shape") + "sizes must be at least 1, got " + m.getInputShapeList()
                        + "; e.g. input_shape: [100]");
            }
            for (int i = 0; i < m.getLayersCount(); i++) {
                LayerSpec l = m.getLayers(i);
                String path = base + ".layers[" + i + "]";
                if (l.getInputsCount() > 0) {
                    problems.add(doc.where(path + ".inputs") + "layer graphs are not supported yet; list layers in order and"
                            + " use block layers (residual, inception, dense_block) for branches");
                }
                Set<String> names = new java.util.TreeSet<>(plugins.names(PluginKind.LAYER));
                names.addAll(plugins.names(PluginKind.ACTIVATION));
                checkName(problems, path + ".name", l.getName(), PluginKind.LAYER, names);
            }
        }
        checkRef(problems, "dataset", spec.hasDataset() ? spec.getDataset() : null, PluginKind.DATASET, true);
        checkRef(problems, "loss", spec.hasLoss() ? spec.getLoss() : null, PluginKind.LOSS, true);
        checkRef(problems, "optimizer", spec.hasOptimizer() ? spec.getOptimizer() : null, PluginKind.OPTIMIZER, spec.getOptimizersCount() == 0);
        if (spec.containsOptimizers("optimizer")) {
            problems.add(doc.where("optimizers.optimizer") + "\"optimizer\" is reserved for the spec's optimizer; write it as"
                    + " optimizer: {name: adam} or pick another name");
        }
        new java.util.TreeMap<>(spec.getOptimizersMap()).forEach((name, ref) ->
                checkRef(problems, "optimizers." + name, ref, PluginKind.OPTIMIZER, true));
        checkRef(problems, "schedule", spec.hasSchedule() ? spec.getSchedule() : null, PluginKind.SCHEDULE, false);
        if (!spec.hasTrainer()) {
            problems.add(doc.where("trainer") + "required; add trainer: {name: supervised, epochs: 10, batch_size: 64}");
        } else {
            checkName(problems, "trainer.name", spec.getTrainer().getName(), PluginKind.TRAINER, plugins.names(PluginKind.TRAINER));
            atLeast(problems, "trainer.epochs", spec.getTrainer().getEpochs(), 1);
            atLeast(problems, "trainer.batch_size", spec.getTrainer().getBatchSize(), 1);
            atLeast(problems, "trainer.max_train_examples", spec.getTrainer().getMaxTrainExamples(), 0);
            atLeast(problems, "trainer.max_eval_examples", spec.getTrainer().getMaxEvalExamples(), 0);
            atLeast(problems, "trainer.log_every_steps", spec.getTrainer().getLogEverySteps(), 0);
        }
        if (!problems.isEmpty()) {
            throw new SpecException(String.join("\n", problems));
        }
    }

    private void atLeast(List<String> problems, String path, int value, int min) {
        if (value < min) {
            problems.add(doc.where(path) + "must be at least " + min + ", got " + value
                    + (value == 0 ? "; set " + path.substring(path.lastIndexOf('.') + 1) + ": " + min + " or more" : ""));
        }
    }

    private void checkRef(List<String> problems, String path, PluginRef ref, PluginKind kind, boolean required) {
        if (ref == null) {
            if (required) {
                problems.add(doc.where(path) + "required; add " + path + ": {name: ..., params: {...}} naming a registered "
                        + kind.id() + " " + new java.util.TreeSet<>(plugins.names(kind)));
            }
            return;
        }
        checkName(problems, path + ".name", ref.getName(), kind, plugins.names(kind));
    }

    private void checkName(List<String> problems, String path, String name, PluginKind kind, Set<String> registered) {
        if (name.isEmpty()) {
            problems.add(doc.where(path) + "required; name a registered " + kind.id() + " " + new java.util.TreeSet<>(registered));
        } else if (!registered.contains(name)) {
            String hint = Suggestions.closest(name, registered).map(c -> "; did you mean \"" + c + "\"?").orElse("");
            problems.add(doc.where(path) + "\"" + name + "\" is not a registered " + kind.id() + hint
                    + " (registered: " + new java.util.TreeSet<>(registered) + ")");
        }
    }

    /**
     * Everything a run needs checked before it starts: names, then each plugin built once with its parameters
     * (unknown or ill-typed parameters fail here). Returns the dataset's example shape.
     */
    public void validate(Tensors tensors, DatasetContext data) {
        checkNames();
        trainer();
        Dataset dataset = dataset(data);
        Map<String, Model> models = models(dataset.info().exampleShape(), tensors, DType.FLOAT32, spec.getSeed());
        loss(tensors);
        checkOptimizers(models, tensors);
        schedule();
    }

    /**
     * Builds every optimizer of the spec once, so bad parameters fail before any work: each over the parameters of the
     * model of the same name, else over all of them (named {@code <model>.<parameter>}, as trainers name them).
     */
    void checkOptimizers(Map<String, Model> models, Tensors tensors) {
        List<String> names = new ArrayList<>();
        if (spec.hasOptimizer()) {
            names.add("optimizer");
        }
        names.addAll(new java.util.TreeSet<>(spec.getOptimizersMap().keySet()));
        try (MemoryScope scope = tensors.scope()) {
            for (String name : names) {
                Model own = models.get(name.equals("optimizer") ? "model" : name);
                List<Parameter> params = own != null ? own.parameters()
                        : models.entrySet().stream().flatMap(m -> m.getValue().parameters().stream()
                                .map(p -> new Parameter(m.getKey() + "." + p.name(), p.value()))).toList();
                optimizer(name, params, tensors);
            }
        }
    }

    /** The names of the spec's models in build order: {@code "model"} (when the spec has one), then {@code models} sorted. */
    public List<String> modelNames() {
        List<String> names = new ArrayList<>();
        if (spec.hasModel()) {
            names.add("model");
        }
        new java.util.TreeSet<>(spec.getModelsMap().keySet()).stream().filter(n -> !n.equals("model")).forEach(names::add);
        return names;
    }

    /** The spec of a model by name ({@code "model"}: the spec's {@code model}). */
    public ModelSpec modelSpec(String name) {
        if (name.equals("model")) {
            return spec.getModel();
        }
        ModelSpec m = spec.getModelsMap().get(name);
        if (m == null) {
            throw new SpecException(doc.where("models") + "the trainer asks for a model named \"" + name + "\" but the spec has "
                    + modelNames() + "; add models: {" + name + ": {layers: [...]}}");
        }
        return m;
    }

    private static String modelPath(String name) {
        return name.equals("model") ? "model" : "models." + name;
    }

    /**
     * Every model of the spec by name, parameters created with no memory scope open. {@code "model"} is seeded with the
     * spec's seed, others with the seed plus their name's hash, so each initialises independently of the others.
     */
    public Map<String, Model> models(int[] datasetShape, Tensors tensors, DType dtype, long seed) {
        Map<String, Model> out = new LinkedHashMap<>();
        for (String name : modelNames()) {
            out.put(name, model(name, datasetShape, tensors, dtype, name.equals("model") ? seed : seed + name.hashCode()));
        }
        return out;
    }

    /** Runs {@code build}, turning plugin errors (messages starting with a document path) into spec errors. */
    <T> T located(String path, Supplier<T> build) {
        try {
            return build.get();
        } catch (SpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new SpecException(m.startsWith(path) || m.matches("^[a-z_\\]\\[0-9.]+: .*") ? doc.locate(m) : doc.where(path) + m, e);
        }
    }

    public Trainer trainer() {
        MapParams params = Structs.params("trainer.params", spec.getTrainer().getParams());
        return located("trainer.params", () -> {
            Trainer t = plugins.factory(PluginKind.TRAINER, spec.getTrainer().getName(), spec.getTrainer().getVersion(),
                    TrainerFactory.class).create(params);
            params.requireAllRead(spec.getTrainer().getName());
            return t;
        });
    }

    /** The dataset, cut to the spec's example limits. */
    public Dataset dataset(DatasetContext context) {
        PluginRef ref = spec.getDataset();
        MapParams params = Structs.params("dataset.params", ref.getParams());
        Dataset d = located("dataset.params", () -> {
            Dataset ds = plugins.factory(PluginKind.DATASET, ref.getName(), ref.getVersion(), DatasetFactory.class)
                    .create(params, context);
            params.requireAllRead(ref.getName());
            return ds;
        });
        return LimitedDataset.of(d, spec.getTrainer().getMaxTrainExamples(), spec.getTrainer().getMaxEvalExamples());
    }

    /** The spec's model, its parameters created with no memory scope open. */
    public Model model(int[] inputShape, Tensors tensors, DType dtype, long seed) {
        return model("model", inputShape, tensors, dtype, seed);
    }

    /** A model of the spec by name, on its {@code input_shape} or else {@code datasetShape}. */
    public Model model(String name, int[] datasetShape, Tensors tensors, DType dtype, long seed) {
        ModelSpec m = modelSpec(name);
        String base = modelPath(name);
        ModelBuilder builder = new ModelBuilder(plugins);
        for (int i = 0; i < m.getLayersCount(); i++) {
            LayerSpec l = m.getLayers(i);
            builder.add(l.getId(), l.getName(), Structs.params(base + ".layers[" + i + "].params", l.getParams()));
        }
        int[] input = m.getInputShapeCount() > 0 ? m.getInputShapeList().stream().mapToInt(Integer::intValue).toArray() : datasetShape;
        return located(base, () -> builder.build(input, tensors, dtype, seed));
    }

    public Loss loss(Tensors tensors) {
        PluginRef ref = spec.getLoss();
        MapParams params = Structs.params("loss.params", ref.getParams());
        return located("loss.params", () -> LossBuildContext.build(ref.getName(), params, new LossBuildContext(tensors, plugins)));
    }

    /**
     * The optimizer of the spec called {@code name} over these parameters: {@code "optimizer"} is the spec's
     * {@code optimizer}, other names come from {@code optimizers}.
     */
    public Optimizer optimizer(String name, List<Parameter> parameters, Tensors tensors) {
        PluginRef ref;
        String path;
        if (name.equals("optimizer")) {
            if (!spec.hasOptimizer()) {
                throw new SpecException(doc.where("optimizer") + "the trainer asks for the spec's optimizer but it names only "
                        + new java.util.TreeSet<>(spec.getOptimizersMap().keySet()) + "; add optimizer: {name: adam}");
            }
            ref = spec.getOptimizer();
            path = "optimizer";
        } else {
            ref = spec.getOptimizersMap().get(name);
            path = "optimizers." + name;
            if (ref == null) {
                throw new SpecException(doc.where("optimizers") + "the trainer asks for an optimizer named \"" + name
                        + "\" but the spec has " + new java.util.TreeSet<>(spec.getOptimizersMap().keySet())
                        + "; add optimizers: {" + name + ": {name: adam, params: {lr: 0.0002}}}");
            }
        }
        MapParams params = Structs.params(path + ".params", ref.getParams());
        return located(path + ".params", () -> {
            Optimizer o = plugins.factory(PluginKind.OPTIMIZER, ref.getName(), ref.getVersion(), OptimizerFactory.class)
                    .create(params, List.of(new ParameterGroup("all", parameters, MapParams.empty(path + ".groups[0]"))), tensors);
            params.requireAllRead(ref.getName());
            return o;
        });
    }

    public Optional<Schedule> schedule() {
        if (!spec.hasSchedule()) {
            return Optional.empty();
        }
        PluginRef ref = spec.getSchedule();
        MapParams params = Structs.params("schedule.params", ref.getParams());
        return Optional.of(located("schedule.params", () -> {
            Schedule s = plugins.factory(PluginKind.SCHEDULE, ref.getName(), ref.getVersion(), ScheduleFactory.class).create(params);
            params.requireAllRead(ref.getName());
            return s;
        }));
    }
}
