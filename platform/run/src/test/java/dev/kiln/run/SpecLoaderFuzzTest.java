package dev.kiln.run;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Thousands of random YAML documents through the spec loader: each parses or fails with a located message. */
class SpecLoaderFuzzTest {

    private static final String[] PIECES = {"name: ", "fuzz", "\n", "trainer:\n  name: supervised\n", "dataset: {name: x}\n", "  ",
        "- ", "[", "]", "{", "}", ": ", "!!java.lang.Runtime", "&a [*a, *a]\n", "seed: 18446744073709551616\n",
        "model:\n  layers:\n    - name: linear\n", "\t", "'", "\"", "#", "optimizer: {name: adam, params: {lr: 0.1}}\n",
        "epochs: -1\n", "unknown_field: 1\n", "models: {g: {layers: []}}\n", "x: &b {y: *b}\n"};

    @Test
    void randomYamlIsEitherASpecOrAClearError() {
        Random r = new Random(3);
        int specs = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0, n = r.nextInt(12); k < n; k++) {
                b.append(PIECES[r.nextInt(PIECES.length)]);
            }
            try {
                SpecLoader.parse(b.toString(), "fuzz.yaml", List.of());
                specs++;
            } catch (SpecException e) {
                assertTrue(e.getMessage().startsWith("fuzz.yaml"), e.getMessage());
            }
        }
        assertTrue(specs > 0, "no random document parsed at all");
    }
}
