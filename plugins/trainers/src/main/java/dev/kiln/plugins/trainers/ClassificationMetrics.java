package dev.kiln.plugins.trainers;

/**
 * Running classification metrics over batches of logits: summed loss, top-1 and top-k hits, and a confusion
 * matrix (rows: true class, columns: prediction). Ties go to the lower class index, as {@code argmax}.
 */
final class ClassificationMetrics {

    private final int classes;
    private final int topK;
    private double lossSum;
    private long seen;
    private long correct;
    private long topKCorrect;
    private final long[][] confusion;

    ClassificationMetrics(int classes, int topK, boolean confusion) {
        this.classes = classes;
        this.topK = topK;
        this.confusion = confusion ? new long[classes][classes] : null;
    }

    /** Adds a batch: {@code logits} row-major {@code (n, classes)}, the batch's mean loss. */
    void add(float[] logits, long[] targets, double meanLoss) {
        int n = targets.length;
        lossSum += meanLoss * n;
        seen += n;
        for (int i = 0; i < n; i++) {
            int y = (int) targets[i];
            int base = i * classes;
            int arg = 0;
            int above = 0;
            float truth = logits[base + y];
            for (int c = 0; c < classes; c++) {
                float v = logits[base + c];
                if (v > logits[base + arg]) {
                    arg = c;
                }
                if (v > truth || v == truth && c < y) {
                    above++;
                }
            }
            if (arg == y) {
                correct++;
            }
            if (above < topK) {
                topKCorrect++;
            }
            if (confusion != null) {
                confusion[y][arg]++;
            }
        }
    }

    /** Restores running sums saved in a checkpoint. */
    void restore(double lossSum, long seen, long correct) {
        this.lossSum = lossSum;
        this.seen = seen;
        this.correct = correct;
    }

    double lossSum() {
        return lossSum;
    }

    long seen() {
        return seen;
    }

    long correct() {
        return correct;
    }

    double loss() {
        return seen == 0 ? Double.NaN : lossSum / seen;
    }

    double accuracy() {
        return seen == 0 ? Double.NaN : (double) correct / seen;
    }

    double topKAccuracy() {
        return seen == 0 ? Double.NaN : (double) topKCorrect / seen;
    }

    long[][] confusion() {
        return confusion;
    }

    /** Per-class accuracy (recall) from the confusion matrix. */
    double[] perClassAccuracy() {
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            long total = 0;
            for (long v : confusion[c]) {
                total += v;
            }
            out[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return out;
    }
}
