package dev.kiln.run;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Headless PNG charts with Java2D: line plots, a count matrix (confusion) and image grids. */
final class Plots {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Series of (x, y) points on shared axes, with a legend. Writes nothing when there is no point. */
    static void lines(Path file, String title, String xLabel, Map<String, List<double[]>> series) throws IOException {
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (List<double[]> s : series.values()) {
            for (double[] p : s) {
                if (Double.isFinite(p[1])) {
                    x0 = Math.min(x0, p[0]);
                    x1 = Math.max(x1, p[0]);
                    y0 = Math.min(y0, p[1]);
                    y1 = Math.max(y1, p[1]);
                }
            }
        }
        if (x0 > x1) {
            return;
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y1 - y0 < 1e-9) {
            y1 = y0 + 1e-3;
        }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        int w = 800, h = 500, left = 70, right = 20, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - left - right, ph = h - top - bottom;
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double yv = y0 + (y1 - y0) * i / 5;
            int y = top + ph - (int) Math.round(ph * i / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, left + pw - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.4g", yv), 5, y + 4);
            double xv = x0 + (x1 - x0) * i / 5;
            int x = left + (int) Math.round(pw * i / 5.0);
            g.drawString(String.format("%.4g", xv), x - 10, top + ph + 18);
        }
        g.drawString(xLabel, left + pw / 2 - 15, h - 10);
        int k = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            Color c = PALETTE[k % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (double[] p : s.getValue()) {
                if (!Double.isFinite(p[1])) {
                    continue;
                }
                int x = left + (int) Math.round((p[0] - x0) / (x1 - x0) * pw);
                int y = top + ph - (int) Math.round((p[1] - y0) / (y1 - y0) * ph);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                if (s.getValue().size() < 60) {
                    g.fillOval(x - 3, y - 3, 6, 6);
                }
                px = x;
                py = y;
            }
            g.fillRect(left + pw - 150, top + 10 + 18 * k, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(s.getKey(), left + pw - 132, top + 21 + 18 * k);
            k++;
        }
        write(img, file);
    }

    /** A matrix of counts as a heat map with the numbers written in; rows are labelled on the left. */
    static void matrix(Path file, String title, List<String> labels, long[][] counts) throws IOException {
        int n = counts.length;
        int cell = Math.max(28, Math.min(60, 600 / Math.max(1, n)));
        int left = 110, top = 60;
        int w = left + n * cell + 20, h = top + n * cell + 110;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title + " (rows: true class, columns: predicted)", 10, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, cell / 4)));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float t = (float) Math.sqrt(counts[i][j] / (double) max);
                g.setColor(new Color(1 - 0.8f * t, 1 - 0.55f * t, 1 - 0.2f * t));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(t > 0.6f ? Color.WHITE : Color.BLACK);
                String s = Long.toString(counts[i][j]);
                g.drawString(s, left + j * cell + (cell - g.getFontMetrics().stringWidth(s)) / 2, top + i * cell + cell / 2 + 4);
            }
            g.setColor(Color.BLACK);
            String label = i < labels.size() ? labels.get(i) : Integer.toString(i);
            g.drawString(label, 5, top + i * cell + cell / 2 + 4);
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + i * cell + cell / 2 + 4, top + n * cell + 5);
            r.rotate(Math.PI / 2);
            r.drawString(label, 0, 0);
            r.dispose();
        }
        write(img, file);
    }

    /** Images {@code (N, C, H, W)} with values in [0, 1] (C = 1 or 3) in a square-ish grid. */
    static void grid(Path file, int[] shape, float[] values) throws IOException {
        int n = shape[0], c = shape[1], hh = shape[2], ww = shape[3];
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * (ww + 2), rows * (hh + 2), BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < n; k++) {
            int ox = (k % cols) * (ww + 2) + 1, oy = (k / cols) * (hh + 2) + 1;
            for (int y = 0; y < hh; y++) {
                for (int x = 0; x < ww; x++) {
                    int[] rgb = new int[3];
                    for (int ch = 0; ch < 3; ch++) {
                        float v = values[((k * c + Math.min(ch, c - 1)) * hh + y) * ww + x];
                        rgb[ch] = Math.max(0, Math.min(255, Math.round(v * 255)));
                    }
                    img.setRGB(ox + x, oy + y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
                }
            }
        }
        write(img, file);
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
