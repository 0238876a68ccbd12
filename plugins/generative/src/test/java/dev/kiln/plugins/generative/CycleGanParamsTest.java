package dev.kiln.plugins.generative;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cyclegan trainer's parameters are checked with messages that name the parameter and the fix; domains are built as documented. */
class CycleGanParamsTest {

    private static CycleGanTrainerFactory.CycleGanSpec read(Map<String, Object> values) {
        return CycleGanTrainerFactory.read(new MapParams("trainer.params", values));
    }

    private static String error(Map<String, Object> values) {
        return assertThrows(IllegalArgumentException.class, () -> read(values)).getMessage();
    }

    private static final Map<String, Object> SANDAL = Map.of("classes", "Sandal");
    private static final Map<String, Object> SNEAKER = Map.of("classes", "Sneaker");

    @Test
    void defaultsAreThePapers() {
        CycleGanTrainerFactory.CycleGanSpec s = read(Map.of("domain_x", SANDAL, "domain_y", SNEAKER));
        assertTrue(s.leastSquares());
        assertEquals(10, s.lambdaCycle());
        assertEquals(0, s.lambdaIdentity());
        assertEquals(List.of("Sandal"), s.x().classes());
        assertEquals(CycleGanTrainerFactory.Transform.NONE, s.y().transform());
        assertEquals("trainer.params.domain_y", s.y().path());
    }

    @Test
    void readsClassListsAndTransforms() {
        CycleGanTrainerFactory.CycleGanSpec s = read(Map.of("domain_x", Map.of("classes", "T-shirt/top, Shirt"),
                "domain_y", Map.of("classes", "T-shirt/top, Shirt", "transform", "rotate90"), "adversarial_loss", "bce",
                "lambda_cycle", 5, "lambda_identity", 2.5));
        assertEquals(List.of("T-shirt/top", "Shirt"), s.x().classes());
        assertEquals(CycleGanTrainerFactory.Transform.ROTATE90, s.y().transform());
        assertFalse(s.leastSquares());
        assertEquals(5, s.lambdaCycle());
        assertEquals(2.5, s.lambdaIdentity());
    }

    @Test
    void rejectsAMissingDomainWithAnExample() {
        String m = error(Map.of("domain_x", SANDAL));
        assertTrue(m.startsWith("trainer.params: domain_y is required") && m.contains("domain_y: {classes: Sandal}"), m);
    }

    @Test
    void rejectsClassesWrittenAsAList() {
        String m = error(Map.of("domain_x", Map.of("classes", List.of(5, 7)), "domain_y", SNEAKER));
        assertTrue(m.contains("trainer.params.domain_x.classes") && m.contains("classes: \"5, 7\""), m);
    }

    @Test
    void rejectsEmptyClasses() {
        String m = error(Map.of("domain_x", Map.of("classes", " , "), "domain_y", SNEAKER));
        assertTrue(m.startsWith("trainer.params.domain_x.classes: name at least one class"), m);
    }

    @Test
    void rejectsAnUnknownTransformListingTheKnownOnes() {
        String m = error(Map.of("domain_x", SANDAL, "domain_y", Map.of("classes", "Sandal", "transform", "inverse")));
        assertTrue(m.startsWith("trainer.params.domain_y.transform must be one of [none, invert,") && m.contains("got \"inverse\""), m);
    }

    @Test
    void rejectsTwoDomainsOfTheSameImages() {
        String m = error(Map.of("domain_x", SANDAL, "domain_y", Map.of("classes", "Sandal")));
        assertTrue(m.contains("domain_x and domain_y are the same images") && m.contains("transform: invert"), m);
    }

    @Test
    void rejectsAnUnknownAdversarialLoss() {
        String m = error(Map.of("domain_x", SANDAL, "domain_y", SNEAKER, "adversarial_loss", "lsgan"));
        assertEquals("trainer.params: adversarial_loss must be least_squares or bce, got \"lsgan\"", m);
    }

    @Test
    void rejectsNegativeWeights() {
        assertEquals("trainer.params: lambda_cycle must be in [0, inf), got -1.0",
                error(Map.of("domain_x", SANDAL, "domain_y", SNEAKER, "lambda_cycle", -1)));
        assertEquals("trainer.params: lambda_identity must be in [0, inf), got -0.5",
                error(Map.of("domain_x", SANDAL, "domain_y", SNEAKER, "lambda_identity", -0.5)));
    }

    // --- domains cut from a dataset -------------------------------------------------------------------------------

    private static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    /** 3×3 single-channel images; example i has class i % 10 and pixels i + k/10 (k the pixel's position), test ones negated. */
    private static final Dataset FAKE = new Dataset() {
        @Override
        public DatasetInfo info() {
            return new DatasetInfo("fake", new int[] {1, 3, 3}, CLASSES);
        }

        @Override
        public int size(Split split) {
            return split == Split.TRAIN ? 200 : 40;
        }

        @Override
        public int read(Split split, int index, float[] features, int offset, Generator generator) {
            for (int k = 0; k < 9; k++) {
                features[offset + k] = (split == Split.TRAIN ? 1 : -1) * (index + k / 10f);
            }
            return index % 10;
        }
    };

    private final Tensors t = Engine.reference();

    private static CycleGanTrainerFactory.Domain domain(String path, String classes, CycleGanTrainerFactory.Transform transform) {
        return new CycleGanTrainerFactory.Domain(path, Arrays.stream(classes.split(",")).map(String::strip).toList(), transform);
    }

    @Test
    void unknownClassNamesSuggestTheClosest() {
        String m = assertThrows(IllegalArgumentException.class, () -> UnpairedDomains.build(FAKE,
                domain("trainer.params.domain_x", "Sandle", CycleGanTrainerFactory.Transform.NONE),
                domain("trainer.params.domain_y", "Sneaker", CycleGanTrainerFactory.Transform.NONE), 1, t)).getMessage();
        assertTrue(m.startsWith("trainer.params.domain_x.classes: \"Sandle\" is not a class of fake; did you mean \"Sandal\"?"), m);
    }

    @Test
    void classesAreNamesPluralsOrIndices() {
        boolean[] in = UnpairedDomains.classSet(domain("p", "sandals, 7, ankle boot", CycleGanTrainerFactory.Transform.NONE), FAKE.info());
        assertArrayEquals(new boolean[] {false, false, false, false, false, true, false, true, false, true}, in);
    }

    @Test
    void sameImagesAfterResolvingNamesAndIndicesAreRejected() {
        String m = assertThrows(IllegalArgumentException.class, () -> UnpairedDomains.build(FAKE,
                domain("trainer.params.domain_x", "Sandal", CycleGanTrainerFactory.Transform.NONE),
                domain("trainer.params.domain_y", "5", CycleGanTrainerFactory.Transform.NONE), 1, t)).getMessage();
        assertTrue(m.contains("domain_x and domain_y are the same images"), m);
    }

    @Test
    void sharedClassesAreSplitSoThatNoImageIsInBothDomains() {
        UnpairedDomains d = UnpairedDomains.build(FAKE, domain("x", "Sandal", CycleGanTrainerFactory.Transform.NONE),
                domain("y", "Sandal", CycleGanTrainerFactory.Transform.INVERT), 3, t);
        assertEquals(10, d.trainSize(UnpairedDomains.X), "20 sandals (5, 15, 25, ...), every other one");
        assertEquals(10, d.trainSize(UnpairedDomains.Y));
        Set<Integer> xs = examples(d, UnpairedDomains.X, false);
        Set<Integer> ys = examples(d, UnpairedDomains.Y, true);
        assertEquals(10, xs.size());
        assertEquals(10, ys.size());
        assertTrue(xs.stream().allMatch(i -> i % 20 == 5) && ys.stream().allMatch(i -> i % 20 == 15), xs + " " + ys);
    }

    /** The examples of a domain's first training batch, by their first pixel (undoing invert: lo + hi - v, range [0, 199.8]). */
    private Set<Integer> examples(UnpairedDomains d, int domain, boolean inverted) {
        float[] v = d.trainBatch(domain, 0, 0, 10, t.generator(0), t).toFloatArray();
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            out.add(Math.round(inverted ? 199.8f - v[i * 9] : v[i * 9]));
        }
        return out;
    }

    @Test
    void eachDomainHasItsOwnSeededOrderPerEpoch() {
        UnpairedDomains d = UnpairedDomains.build(FAKE, domain("x", "Sandal", CycleGanTrainerFactory.Transform.NONE),
                domain("y", "Sneaker", CycleGanTrainerFactory.Transform.NONE), 3, t);
        float[] e0 = d.trainBatch(UnpairedDomains.X, 0, 0, 20, t.generator(0), t).toFloatArray();
        float[] e1 = d.trainBatch(UnpairedDomains.X, 1, 0, 20, t.generator(0), t).toFloatArray();
        assertFalse(Arrays.equals(e0, e1), "a new order each epoch");
        UnpairedDomains again = UnpairedDomains.build(FAKE, domain("x", "Sandal", CycleGanTrainerFactory.Transform.NONE),
                domain("y", "Sneaker", CycleGanTrainerFactory.Transform.NONE), 3, t);
        assertArrayEquals(e0, again.trainBatch(UnpairedDomains.X, 0, 0, 20, t.generator(0), t).toFloatArray(), "the same for the same seed");
        // X's positions in its order differ from Y's: sandals 5, 15, ... and sneakers 7, 17, ... shuffled independently
        float[] y0 = d.trainBatch(UnpairedDomains.Y, 0, 0, 20, t.generator(0), t).toFloatArray();
        int[] xRank = new int[20];
        int[] yRank = new int[20];
        for (int i = 0; i < 20; i++) {
            xRank[i] = ((int) e0[i * 9] - 5) / 10;
            yRank[i] = ((int) y0[i * 9] - 7) / 10;
        }
        assertFalse(Arrays.equals(xRank, yRank), "X and Y are not drawn in the same order (that would pair them)");
        assertEquals(1, d.batchesPerEpoch(20));
    }

    @Test
    void transformsRotateFlipAndInvertInTheDataRange() {
        float[] x = image(CycleGanTrainerFactory.Transform.NONE);
        // pixel (i, j) of example e is e + (3i + j)/10; rotate90 is counter-clockwise: out(i, j) = in(j, 2 - i)
        float[] r = image(CycleGanTrainerFactory.Transform.ROTATE90);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(x[j * 3 + (2 - i)], r[i * 3 + j]);
            }
        }
        float[] r180 = image(CycleGanTrainerFactory.Transform.ROTATE180);
        float[] r270 = image(CycleGanTrainerFactory.Transform.ROTATE270);
        float[] h = image(CycleGanTrainerFactory.Transform.FLIP_HORIZONTAL);
        float[] v = image(CycleGanTrainerFactory.Transform.FLIP_VERTICAL);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(x[(2 - i) * 3 + (2 - j)], r180[i * 3 + j]);
                assertEquals(x[(2 - j) * 3 + i], r270[i * 3 + j]);
                assertEquals(x[i * 3 + (2 - j)], h[i * 3 + j]);
                assertEquals(x[(2 - i) * 3 + j], v[i * 3 + j]);
            }
        }
        float[] inv = image(CycleGanTrainerFactory.Transform.INVERT);
        for (int k = 0; k < 9; k++) {
            assertEquals(0 + 199.8f - x[k], inv[k], 1e-3, "lo + hi - v over the training range [0, 199.8]");
        }
    }

    /** The first test image of domain Y (sneakers) under a transform. */
    private float[] image(CycleGanTrainerFactory.Transform transform) {
        UnpairedDomains d = UnpairedDomains.build(FAKE, domain("x", "Sandal", CycleGanTrainerFactory.Transform.NONE),
                domain("y", "Sneaker", transform), 3, t);
        return d.testBatch(UnpairedDomains.Y, 0, 1, t).toFloatArray();
    }
}
