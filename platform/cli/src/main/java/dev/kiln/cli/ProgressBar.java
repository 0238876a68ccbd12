package dev.kiln.cli;

import dev.kiln.run.RunListener;

import java.io.PrintStream;
import java.util.Map;

/**
 * The run's progress: on a terminal one line redrawn in place ({@code epoch 3/15 [=====>    ] 420/844 loss 0.3121
 * acc 0.8870 1840 img/s ETA 1:14}, ETA for the whole run); otherwise a plain line every {@code every} steps and one
 * per epoch.
 */
final class ProgressBar implements RunListener {

    private final PrintStream out;
    private final boolean terminal;
    private final int every;
    private long lastDraw;
    private boolean dirty;

    ProgressBar(PrintStream out, boolean terminal, int every) {
        this.out = out;
        this.terminal = terminal;
        this.every = every;
    }

    @Override
    public void step(int epoch, int epochs, int batch, int batches, long step, Map<String, Double> m, double rate) {
        int done = batch + 1;
        double batchesPerSecond = rate > 0 && done > 0 ? rate / Math.max(1, exampleGuess(m)) : 0;
        // the whole run's remaining batches (this epoch's and the epochs after it), not just this epoch's
        long remaining = (batches - done) + (long) Math.max(0, epochs - epoch - 1) * batches;
        String eta = rate > 0 ? clock(remaining / Math.max(1e-9, batchesPerSecond)) : "--:--";
        String text = String.format("epoch %d/%d %s %d/%d%s %.0f img/s ETA %s", epoch + 1, epochs,
                terminal ? bar(done, batches, 24) : "", done, batches, metrics(m), rate, eta).replace("  ", " ");
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L || done == batches) {
                out.print("\r" + text + "\033[K");
                out.flush();
                lastDraw = now;
                dirty = true;
            }
        } else if (step % every == 0) {
            out.println(text);
        }
    }

    /** Every step metric the trainer reports (loss first; a GAN's d_loss and g_loss, a VAE's ELBO parts), compactly. */
    static String metrics(Map<String, Double> m) {
        StringBuilder s = new StringBuilder();
        Double loss = m.get("loss");
        if (loss != null) {
            s.append(" loss").append(value(loss));
        }
        m.forEach((k, v) -> {
            if (!HIDDEN.contains(k) && v != null) {
                s.append(' ').append(k.equals("accuracy") ? "acc" : k).append(value(v));
            }
        });
        return s.toString();
    }

    private static String value(double v) {
        return String.format(Math.abs(v) < 10 ? " %.4f" : " %.1f", v);
    }

    /** Shown elsewhere on the line, or not a quality: the loss (first), position, rate, time and learning rate. */
    private static final java.util.Set<String> HIDDEN = java.util.Set.of("loss", "step", "epoch", "batch", "lr", "images_per_second",
            "time_s");

    /** The batch size is not part of the metrics; images/s over batches/s needs it, so the bar keeps the last one. */
    private double batchSize = 64;

    private double exampleGuess(Map<String, Double> m) {
        return batchSize;
    }

    void batchSize(int size) {
        batchSize = size;
    }

    @Override
    public void epoch(int epoch, int epochs, Map<String, Double> m) {
        clear();
        StringBuilder s = new StringBuilder(String.format("epoch %d/%d:", epoch + 1, epochs));
        m.forEach((k, v) -> {
            if (!k.equals("step")) {
                s.append(String.format(" %s %.4g", k, v));
            }
        });
        out.println(s);
    }

    @Override
    public void log(String line) {
        clear();
        out.println(line);
    }

    private void clear() {
        if (dirty) {
            out.print("\r\033[K");
            dirty = false;
        }
    }

    static String bar(int done, int total, int width) {
        int fill = total == 0 ? width : (int) ((long) done * width / total);
        return "[" + "=".repeat(Math.max(0, fill - 1)) + (fill > 0 ? fill == width ? "=" : ">" : "") + " ".repeat(width - fill) + "]";
    }

    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
