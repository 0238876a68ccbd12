package dev.kiln.plugins.generative;

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (Heusel et al., 2017), in double precision:
 * <pre>
 * d² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½)
 * </pre>
 * {@code Σ1^½} and the trace of the outer square root come from symmetric eigendecompositions ({@link #eigenvalues},
 * cyclic Jacobi), so no non-symmetric matrix square root is needed: {@code Σ1^½ Σ2 Σ1^½} is symmetric positive
 * semi-definite and has the same eigenvalues as {@code Σ1 Σ2}. Eigenvalues that round-off makes slightly negative are
 * taken as 0. Like the usual FID, the value reported is the squared distance {@code d²}.
 */
final class Frechet {

    private Frechet() {
    }

    /** Mean and covariance (unbiased, divided by {@code n − 1}, as {@code numpy.cov}) of {@code n} feature rows. */
    record Stats(double[] mean, double[][] cov, int n) {
    }

    /** Two passes over the rows: the mean, then the covariance of the centred rows. */
    static Stats stats(double[][] rows) {
        int n = rows.length;
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 feature rows, got " + n);
        }
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] r : rows) {
            if (r.length != d) {
                throw new IllegalArgumentException("feature rows of different lengths: " + d + " and " + r.length);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                c[j] = r[j] - mean[j];
            }
            for (int i = 0; i < d; i++) {
                double ci = c[i];
                if (ci == 0) {
                    continue;
                }
                double[] row = cov[i];
                for (int j = i; j < d; j++) {
                    row[j] += ci * c[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new Stats(mean, cov, n);
    }

    /** {@code d²} between the Gaussians of two feature sets. */
    static double distance(Stats a, Stats b) {
        return distance(a.mean(), a.cov(), b.mean(), b.cov());
    }

    /** {@code d²} between {@code N(mu1, sigma1)} and {@code N(mu2, sigma2)}; never negative. */
    static double distance(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
        int d = mu1.length;
        if (mu2.length != d || sigma1.length != d || sigma2.length != d) {
            throw new IllegalArgumentException("dimensions differ: means " + d + " and " + mu2.length + ", covariances "
                    + sigma1.length + " and " + sigma2.length);
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double[][] root = sqrtPsd(sigma1);
        double[][] m = multiply(multiply(root, sigma2), root);
        symmetrize(m);
        double traceRoot = 0;
        for (double l : eigenvalues(m)) {
            traceRoot += Math.sqrt(Math.max(0, l));
        }
        double d2 = meanTerm + trace(sigma1) + trace(sigma2) - 2 * traceRoot;
        return Math.max(0, d2);
    }

    /** The symmetric square root {@code V diag(sqrt(max(λ, 0))) Vᵀ} of a symmetric positive semi-definite matrix. */
    static double[][] sqrtPsd(double[][] a) {
        int n = a.length;
        double[][] v = new double[n][n];
        double[] l = jacobi(copy(a), v);
        double[][] out = new double[n][n];
        for (int k = 0; k < n; k++) {
            double s = Math.sqrt(Math.max(0, l[k]));
            if (s == 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                double vik = v[i][k] * s;
                if (vik == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    out[i][j] += vik * v[j][k];
                }
            }
        }
        symmetrize(out);
        return out;
    }

    /** The eigenvalues of a symmetric matrix (unsorted). */
    static double[] eigenvalues(double[][] a) {
        return jacobi(copy(a), null);
    }

    /**
     * Cyclic Jacobi: rotations zero the off-diagonal elements of the symmetric {@code a} (overwritten) until they are
     * negligible against the diagonal; returns the eigenvalues and, when {@code v} is given, fills its columns with the
     * eigenvectors. Quadratically convergent; a 128 × 128 covariance takes well under 20 sweeps.
     */
    static double[] jacobi(double[][] a, double[][] v) {
        int n = a.length;
        for (double[] row : a) {
            if (row.length != n) {
                throw new IllegalArgumentException("not a square matrix: " + n + " rows, a row of " + row.length);
            }
        }
        if (v != null) {
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(v[i], 0);
                v[i][i] = 1;
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off == 0 || off <= 1e-30 * diag) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (apq == 0) {
                        continue;
                    }
                    double app = a[p][p], aqq = a[q][q];
                    if (Math.abs(apq) <= 1e-18 * (Math.abs(app) + Math.abs(aqq))) {
                        a[p][q] = 0;             // below round-off of the diagonal: a rotation would change nothing
                        a[q][p] = 0;
                        continue;
                    }
                    // tan of the rotation angle: the smaller root of t² + 2θt − 1 = 0, θ = (aqq − app) / (2 apq)
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    } else if (Double.isInfinite(theta * theta)) {
                        t = 1 / (2 * theta);
                    }
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    a[p][q] = 0;
                    a[q][p] = 0;
                    if (v != null) {
                        for (int k = 0; k < n; k++) {
                            double vkp = v[k][p], vkq = v[k][q];
                            v[k][p] = c * vkp - s * vkq;
                            v[k][q] = s * vkp + c * vkq;
                        }
                    }
                }
            }
        }
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            l[i] = a[i][i];
        }
        return l;
    }

    static double trace(double[][] a) {
        double t = 0;
        for (int i = 0; i < a.length; i++) {
            t += a[i][i];
        }
        return t;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length, m = b[0].length, k = b.length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] oi = out[i];
            for (int l = 0; l < k; l++) {
                double ail = a[i][l];
                if (ail == 0) {
                    continue;
                }
                double[] bl = b[l];
                for (int j = 0; j < m; j++) {
                    oi[j] += ail * bl[j];
                }
            }
        }
        return out;
    }

    private static void symmetrize(double[][] a) {
        for (int i = 0; i < a.length; i++) {
            for (int j = i + 1; j < a.length; j++) {
                double m = 0.5 * (a[i][j] + a[j][i]);
                a[i][j] = m;
                a[j][i] = m;
            }
        }
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
