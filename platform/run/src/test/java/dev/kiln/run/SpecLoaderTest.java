package dev.kiln.run;

import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.runtime.RunPlugins;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec errors name the file, the line, the path in the document and the fix. */
class SpecLoaderTest {

    static final String SPEC = """
            name: tiny
            seed: 7
            dataset: {name: fashion-mnist}
            model:
              layers:
                - {name: flatten}
                - {name: linear, params: {out_features: 10}}
            loss: {name: cross_entropy}
            optimizer:
              name: adam
              params: {lr: 0.001}
            trainer: {name: supervised, epochs: 1, batch_size: 32}
            """;

    private static SpecException error(String yaml, String... overrides) {
        return assertThrows(SpecException.class, () -> {
            SpecDocument doc = SpecLoader.parse(yaml, "x.yaml", List.of(overrides));
            try (RunPlugins plugins = new RunPlugins(TestPlugins.runtime().registry(), "spec-loader-test")) {
                new Experiment(doc, plugins).checkNames();
            }
        });
    }

    @Test
    void recursiveAliasesAreRejectedNotAStackOverflow() {
        String m = error("name: x\nseed: &a [*a]\n").getMessage();
        assertTrue(m.contains("x.yaml:2:") && m.contains("recursive YAML alias"), m);
    }

    @Test
    void aliasBombsAreRejected() {
        StringBuilder y = new StringBuilder("a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        for (int i = 1; i < 8; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 10; k++) {
                y.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            y.append("]\n");
        }
        String m = error(y.toString()).getMessage();
        assertTrue(m.contains("aliases") || m.contains("values"), m);
    }

    @Test
    void readsYamlOntoTheSpec() {
        ExperimentSpec spec = SpecLoader.parse(SPEC, "x.yaml", List.of()).spec();
        assertEquals("tiny", spec.getName());
        assertEquals(7, spec.getSeed());
        assertEquals(2, spec.getModel().getLayersCount());
        assertEquals(10, spec.getModel().getLayers(1).getParams().getFieldsOrThrow("out_features").getNumberValue());
        assertEquals(32, spec.getTrainer().getBatchSize());
    }

    @Test
    void unknownKeyNamesFileLinePathAndSuggestion() {
        String m = error(SPEC.replace("loss: {name", "los: {name")).getMessage();
        assertTrue(m.startsWith("x.yaml:8: los: \"los\" is not a field of the spec (ExperimentSpec); did you mean \"loss\"?"), m);
    }

    @Test
    void unknownNestedKeyNamesItsPath() {
        String m = error(SPEC.replace("epochs: 1", "epoch: 1")).getMessage();
        assertTrue(m.contains("x.yaml:12: trainer.epoch: \"epoch\" is not a field of trainer (TrainerSpec); did you mean \"epochs\"?"), m);
    }

    @Test
    void unknownPluginSuggestsTheClosestName() {
        String m = error(SPEC.replace("name: adam", "name: adamm")).getMessage();
        assertTrue(m.contains("x.yaml:10: optimizer.name: \"adamm\" is not a registered optimizer; did you mean \"adam\"?"), m);
        String layer = error(SPEC.replace("name: linear", "name: linaer")).getMessage();
        assertTrue(layer.contains("x.yaml:7: model.layers[1].name: \"linaer\" is not a registered layer; did you mean \"linear\"?"), layer);
    }

    @Test
    void wrongTypesSayWhatWasExpected() {
        String m = error(SPEC.replace("epochs: 1", "epochs: one").replace("seed: 7", "seed: 1.5")).getMessage();
        assertTrue(m.contains("x.yaml:2: seed: expected an integer, got the number 1.5"), m);
        assertTrue(m.contains("x.yaml:12: trainer.epochs: expected an integer, got the string \"one\""), m);
        String list = error(SPEC.replace("  layers:", "  layers: 3\n  x:")).getMessage();
        assertTrue(list.contains("model.layers: expected a list"), list);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String m = error(SPEC.replace("los", "lss").replace("seed: 7", "seed: -1")).getMessage();
        assertEquals(2, m.lines().count(), m);
    }

    @Test
    void overridesApplyAndAreValidatedLikeTheFile() {
        ExperimentSpec spec = SpecLoader.parse(SPEC, "x.yaml", List.of("trainer.epochs=3", "optimizer.params.lr=0.01",
                "model.layers[1].params.out_features=10")).spec();
        assertEquals(3, spec.getTrainer().getEpochs());
        assertEquals(0.01, spec.getOptimizer().getParams().getFieldsOrThrow("lr").getNumberValue());
        String m = error(SPEC, "trainer.epochs=many").getMessage();
        assertTrue(m.contains("x.yaml (--set): trainer.epochs: expected an integer, got the string \"many\""), m);
        String unknown = error(SPEC, "trainer.epoch=2").getMessage();
        assertTrue(unknown.contains("trainer.epoch: \"epoch\" is not a field of trainer (TrainerSpec); did you mean \"epochs\"?"), unknown);
        String bad = assertThrows(SpecException.class, () -> SpecLoader.parse(SPEC, "x.yaml", List.of("trainer.epochs"))).getMessage();
        assertTrue(bad.contains("expected PATH=VALUE"), bad);
    }

    @Test
    void settingsOutOfRangeAreErrors() {
        String m = error(SPEC.replace("epochs: 1", "epochs: 0")).getMessage();
        assertTrue(m.contains("x.yaml:12: trainer.epochs: must be at least 1, got 0"), m);
    }

    @Test
    void invalidYamlNamesTheLine() {
        String m = assertThrows(SpecException.class, () -> SpecLoader.parse("name: a\nmodel: [\n", "x.yaml", List.of())).getMessage();
        assertTrue(m.startsWith("x.yaml:"), m);
        assertTrue(m.contains("not valid YAML"), m);
    }

    @Test
    void duplicateKeysAreErrors() {
        String m = assertThrows(SpecException.class, () -> SpecLoader.parse("name: a\nname: b\n", "x.yaml", List.of())).getMessage();
        assertTrue(m.contains("x.yaml:2"), m);
    }

    static final String TWO_MODELS = """
            name: tiny-gan
            dataset: {name: fashion-mnist}
            models:
              generator:
                input_shape: [8]
                layers:
                  - {name: linear, params: {out_features: 784}}
              discriminator:
                layers:
                  - {name: flatten}
                  - {name: linear, params: {out_features: 1}}
            loss: {name: bce_with_logits}
            optimizers:
              generator: {name: adam, params: {lr: 0.0002}}
              discriminator: {name: adam, params: {lr: 0.0002}}
            trainer: {name: supervised, epochs: 1, batch_size: 32}
            """;

    @Test
    void readsNamedModelsAndOptimizers() {
        SpecDocument doc = SpecLoader.parse(TWO_MODELS, "x.yaml", List.of("optimizers.discriminator.params.lr=0.001"));
        ExperimentSpec spec = doc.spec();
        assertEquals(List.of(8), spec.getModelsOrThrow("generator").getInputShapeList());
        assertEquals(0.001, spec.getOptimizersOrThrow("discriminator").getParams().getFieldsOrThrow("lr").getNumberValue());
        try (RunPlugins plugins = new RunPlugins(TestPlugins.runtime().registry(), "spec-loader-test")) {
            Experiment e = new Experiment(doc, plugins);
            e.checkNames();
            assertEquals(List.of("discriminator", "generator"), e.modelNames());
            String m = assertThrows(SpecException.class, () -> e.optimizer("critic", List.of(), null)).getMessage();
            assertTrue(m.startsWith("x.yaml:13: optimizers: the trainer asks for an optimizer named \"critic\""), m);
        }
    }

    @Test
    void unknownPluginsInNamedModelsAndOptimizersNameTheirPath() {
        String m = error(TWO_MODELS.replace("out_features: 1}}", "out_features: 1}}\n      - {name: leaky_rleu}")
                .replace("discriminator: {name: adam", "discriminator: {name: adamm")).getMessage();
        assertTrue(m.contains("x.yaml:12: models.discriminator.layers[2].name: \"leaky_rleu\" is not a registered layer;"
                + " did you mean \"leaky_relu\"?"), m);
        assertTrue(m.contains("x.yaml:16: optimizers.discriminator.name: \"adamm\" is not a registered optimizer;"
                + " did you mean \"adam\"?"), m);
        String key = error(TWO_MODELS.replace("  generator:\n    input", "  Generator:\n    input")).getMessage();
        assertTrue(key.contains("x.yaml:4: models.Generator: \"Generator\" must be a lower_snake_case name"), key);
        String none = error(TWO_MODELS.replace("models:", "modelz:")).getMessage();
        assertTrue(none.contains("modelz: \"modelz\" is not a field of the spec"), none);
    }
}
