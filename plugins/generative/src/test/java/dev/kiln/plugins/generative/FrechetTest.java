package dev.kiln.plugins.generative;

import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fréchet distance in double precision: against numpy (fixtures by tools/fixtures/make_frechet_fixtures.py, whose
 * matrix-root trace comes from the non-symmetric eigenvalues of Σ1 Σ2, not the symmetric route used here) and in
 * cases with closed forms.
 */
class FrechetTest {

    private static final String DIR = "/fixtures/frechet/";

    private static SafetensorsFile fixture(String name) throws IOException {
        try (InputStream in = FrechetTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, DIR + name);
            return Safetensors.read(in, DIR + name);
        }
    }

    private static double[][] matrix(StoredTensor t) {
        int[] s = t.shape();
        double[] v = t.toDoubleArray();
        double[][] out = new double[s[0]][];
        for (int i = 0; i < s[0]; i++) {
            out[i] = Arrays.copyOfRange(v, i * s[1], (i + 1) * s[1]);
        }
        return out;
    }

    private static void close(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    @Test
    void matchesNumpyOnEveryFixture() throws IOException {
        List<String> names;
        try (InputStream in = FrechetTest.class.getResourceAsStream(DIR + "INDEX")) {
            assertNotNull(in, "fixture INDEX; run tools/fixtures/make_frechet_fixtures.py");
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        assertEquals(3, names.size(), names.toString());
        for (String name : names) {
            SafetensorsFile f = fixture(name);
            Frechet.Stats a = Frechet.stats(matrix(f.tensor("a")));
            Frechet.Stats b = Frechet.stats(matrix(f.tensor("b")));
            close(f.tensor("mu_a").toDoubleArray(), a.mean(), 1e-12, name + " mu_a");
            close(f.tensor("mu_b").toDoubleArray(), b.mean(), 1e-12, name + " mu_b");
            double[][] sa = matrix(f.tensor("sigma_a")), sb = matrix(f.tensor("sigma_b"));
            for (int i = 0; i < sa.length; i++) {
                close(sa[i], a.cov()[i], 1e-11, name + " sigma_a row " + i);
                close(sb[i], b.cov()[i], 1e-11, name + " sigma_b row " + i);
            }
            double expected = f.tensor("d2").toDoubleArray()[0];
            double d2 = Frechet.distance(a, b);
            assertEquals(expected, d2, 1e-8 * Math.max(1, expected), name + ": d² " + d2 + " vs numpy " + expected);
            assertEquals(d2, Frechet.distance(b, a), 1e-8 * Math.max(1, d2), name + ": symmetric in its arguments");
        }
    }

    private static double[][] gaussianRows(Random r, int n, double[] mean, double[] scale) {
        double[][] x = new double[n][mean.length];
        for (double[] row : x) {
            for (int j = 0; j < mean.length; j++) {
                row[j] = mean[j] + scale[j] * r.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void identicalSetsAreAtDistanceZero() {
        Random r = new Random(1);
        double[] mean = new double[128], scale = new double[128];
        for (int j = 0; j < 128; j++) {
            mean[j] = r.nextDouble();
            scale[j] = 0.1 + r.nextDouble();
        }
        double[][] x = gaussianRows(r, 1000, mean, scale);
        // mix the features so the covariance is full, not diagonal
        for (double[] row : x) {
            for (int j = 1; j < 128; j++) {
                row[j] += 0.5 * row[j - 1];
            }
        }
        Frechet.Stats s = Frechet.stats(x);
        double d2 = Frechet.distance(s, s);
        assertTrue(d2 >= 0 && d2 < 1e-9 * Frechet.trace(s.cov()), "d²(X, X) = " + d2 + " against tr Σ = " + Frechet.trace(s.cov()));
    }

    @Test
    void shiftedMeansGiveTheSquaredShift() {
        Random r = new Random(2);
        double[][] x = gaussianRows(r, 500, new double[16], filled(16, 1));
        double[][] y = new double[x.length][];
        double[] shift = new double[16];
        double expected = 0;
        for (int j = 0; j < 16; j++) {
            shift[j] = r.nextGaussian();
            expected += shift[j] * shift[j];
        }
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
            for (int j = 0; j < 16; j++) {
                y[i][j] += shift[j];
            }
        }
        assertEquals(expected, Frechet.distance(Frechet.stats(x), Frechet.stats(y)), 1e-9 * expected);
    }

    @Test
    void diagonalCovariancesHaveTheClosedForm() {
        // d² = |Δμ|² + Σ (σ1_i − σ2_i)² for Σ = diag(σ²)
        int d = 50;
        Random r = new Random(3);
        double[] mu1 = new double[d], mu2 = new double[d];
        double[][] s1 = new double[d][d], s2 = new double[d][d];
        double expected = 0;
        for (int i = 0; i < d; i++) {
            mu1[i] = r.nextGaussian();
            mu2[i] = r.nextGaussian();
            double a = 0.01 + 3 * r.nextDouble(), b = 0.01 + 3 * r.nextDouble();
            s1[i][i] = a * a;
            s2[i][i] = b * b;
            expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + (a - b) * (a - b);
        }
        assertEquals(expected, Frechet.distance(mu1, s1, mu2, s2), 1e-10 * expected);
    }

    @Test
    void rotatedCovariancesHaveTheClosedFormOfCommutingMatrices() {
        // Σ1 = Q diag(a²) Qᵀ, Σ2 = Q diag(b²) Qᵀ commute: d² = Σ (a_i − b_i)²; Q from Gram–Schmidt on random vectors
        int d = 40;
        Random r = new Random(4);
        double[][] q = new double[d][d];
        for (int k = 0; k < d; k++) {
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = r.nextGaussian();
            }
            for (int m = 0; m < k; m++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += v[i] * q[i][m];
                }
                for (int i = 0; i < d; i++) {
                    v[i] -= dot * q[i][m];
                }
            }
            double norm = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
            for (int i = 0; i < d; i++) {
                q[i][k] = v[i] / norm;
            }
        }
        double[] a = new double[d], b = new double[d];
        double expected = 0;
        for (int k = 0; k < d; k++) {
            a[k] = 0.1 + 2 * r.nextDouble();
            b[k] = k < 5 ? 0 : 0.1 + 2 * r.nextDouble();  // Σ2 singular: zero eigenvalues must not break the root
            expected += (a[k] - b[k]) * (a[k] - b[k]);
        }
        double[][] s1 = new double[d][d], s2 = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) {
                    s1[i][j] += q[i][k] * a[k] * a[k] * q[j][k];
                    s2[i][j] += q[i][k] * b[k] * b[k] * q[j][k];
                }
            }
        }
        // zero eigenvalues come out as ±1e-16 · scale, and their square roots as 1e-8: the trace of a matrix root is only
        // √ε-accurate at singular matrices (any method), hence 1e-7 rather than 1e-12
        assertEquals(expected, Frechet.distance(new double[d], s1, new double[d], s2), 1e-7 * expected);
        assertEquals(expected, Frechet.distance(new double[d], s2, new double[d], s1), 1e-7 * expected);
    }

    @Test
    void jacobiRecoversEigenpairsAndToleratesRoundOffNegatives() {
        double[][] a = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] v = new double[3][3];
        double[] l = Frechet.jacobi(new double[][] {a[0].clone(), a[1].clone(), a[2].clone()}, v);
        for (int k = 0; k < 3; k++) {          // A v_k = λ_k v_k
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int j = 0; j < 3; j++) {
                    av += a[i][j] * v[j][k];
                }
                assertEquals(l[k] * v[i][k], av, 1e-12);
            }
        }
        double[] sorted = l.clone();
        Arrays.sort(sorted);
        assertEquals(9, Arrays.stream(l).sum(), 1e-12);                  // the trace
        assertEquals(3 - Math.sqrt(3), sorted[0], 1e-12);                 // closed form of this tridiagonal matrix
        assertEquals(3, sorted[1], 1e-12);
        assertEquals(3 + Math.sqrt(3), sorted[2], 1e-12);
        // a PSD matrix nudged just below zero: its root is finite and squares back to it
        double[][] p = {{1, 1}, {1, 1 - 1e-15}};
        double[][] root = Frechet.sqrtPsd(p);
        for (double[] row : root) {
            for (double x : row) {
                assertTrue(Double.isFinite(x), Arrays.deepToString(root));
            }
        }
        assertEquals(1, root[0][0] * root[0][0] + root[0][1] * root[1][0], 1e-7);
        assertEquals(0, Frechet.distance(new double[2], p, new double[2], p), 1e-7);
    }

    @Test
    void rejectsMismatchedInputs() {
        assertThrows(IllegalArgumentException.class, () -> Frechet.stats(new double[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> Frechet.distance(new double[2], new double[2][2], new double[3], new double[3][3]));
    }

    private static double[] filled(int n, double v) {
        double[] out = new double[n];
        Arrays.fill(out, v);
        return out;
    }
}
