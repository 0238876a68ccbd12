package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Numeric tables in CSV files: every column but the label is a feature (example shape
 * {@code [features]}). Parameters: {@code name} (the dataset directory, found like any dataset),
 * {@code train} (file, default {@code train.csv}), {@code test} (default {@code test.csv}; optional),
 * {@code label} (column name, or 0-based index; default {@code "label"}, else the last column),
 * {@code header} (default: detected — a first row with a non-numeric field), {@code delimiter}
 * (default {@code ","}), {@code validation_fraction}, {@code transforms}. Integer labels
 * {@code 0..k-1} are class indices; any other labels become classes in sorted order.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=csv"})
public final class CsvFactory implements DatasetFactory {

    record Table(String file, List<String> header, List<String[]> rows) {
    }

    @Override
    public Dataset create(Params params, DatasetContext context) {
        String name = params.getString("name");
        String trainName = params.getString("train", "train.csv");
        String testName = params.getString("test", "test.csv");
        String delimiter = params.getString("delimiter", ",");
        Boolean header = params.has("header") ? params.getBoolean("header", true) : null;
        Object label;
        try {
            label = params.getInt("label", -1);
        } catch (IllegalArgumentException notANumber) {
            label = params.getString("label");
        }
        Path dir = context.locate(name, trainName);
        Table train = parse(DataFiles.find(dir, trainName), delimiter, header);
        Path testFile = dir.resolve(testName);
        Table test = Files.isRegularFile(testFile) ? parse(testFile, delimiter, header) : null;
        int labelColumn = labelColumn(train, label, params.path());
        TreeSet<String> labelValues = new TreeSet<>();
        for (Table t : test == null ? List.of(train) : List.of(train, test)) {
            for (String[] r : t.rows) {
                labelValues.add(r[labelColumn].strip());
            }
        }
        List<String> classes = classes(labelValues);
        int features = train.rows.isEmpty() ? 0 : train.rows.get(0).length - 1;
        Examples tr = examples(train, labelColumn, classes, features);
        Examples te = test == null ? Examples.ofFloats(new float[0], new int[0], features) : examples(test, labelColumn, classes, features);
        return InMemoryDataset.create(name, new int[] {features}, classes, tr, te, params, context.seed());
    }

    private static int labelColumn(Table t, Object label, String path) {
        int columns = t.rows.isEmpty() ? t.header.size() : t.rows.get(0).length;
        if (label instanceof Integer i && i >= 0) {
            if (i >= columns) {
                throw new IllegalArgumentException(path + ".label: column " + i + " does not exist; " + t.file + " has " + columns + " columns");
            }
            return i;
        }
        String wanted = label instanceof String s ? s : "label";
        int idx = t.header == null ? -1 : t.header.indexOf(wanted);
        if (idx < 0 && label instanceof String) {
            throw new IllegalArgumentException(path + ".label: no column \"" + wanted + "\" in " + t.file
                    + (t.header == null ? " (it has no header row; give the column index)" : "; columns: " + t.header));
        }
        return idx < 0 ? columns - 1 : idx;
    }

    /** Sorted integer labels 0..k-1 stay indices; anything else is a class name in sorted order. */
    private static List<String> classes(TreeSet<String> values) {
        TreeMap<Integer, String> ints = new TreeMap<>();
        for (String v : values) {
            try {
                ints.put(Integer.parseInt(v), v);
            } catch (NumberFormatException e) {
                return List.copyOf(values);
            }
        }
        if (!ints.isEmpty() && ints.firstKey() >= 0) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i <= ints.lastKey(); i++) {
                out.add(String.valueOf(i));
            }
            return out;
        }
        return List.copyOf(values);
    }

    private static Examples examples(Table t, int labelColumn, List<String> classes, int features) {
        float[] values = new float[t.rows.size() * features];
        int[] labels = new int[t.rows.size()];
        int line0 = t.header == null ? 1 : 2;
        for (int r = 0; r < t.rows.size(); r++) {
            String[] row = t.rows.get(r);
            if (row.length != features + 1) {
                throw new IllegalStateException(t.file + ": line " + (line0 + r) + " has " + row.length + " fields, expected " + (features + 1));
            }
            int k = 0;
            for (int c = 0; c < row.length; c++) {
                if (c == labelColumn) {
                    String v = row[c].strip();
                    labels[r] = classes.indexOf(v);
                    if (labels[r] < 0) {
                        labels[r] = classes.indexOf(String.valueOf(Integer.parseInt(v)));
                    }
                    continue;
                }
                try {
                    values[r * features + k++] = Float.parseFloat(row[c].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalStateException(t.file + ": line " + (line0 + r) + ", column " + (c + 1) + " is \"" + row[c]
                            + "\", expected a number");
                }
            }
        }
        return Examples.ofFloats(values, labels, features);
    }

    static Table parse(Path file, String delimiter, Boolean header) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(file + ": " + e.getMessage(), e));
        }
        List<String[]> rows = new ArrayList<>();
        for (String l : lines) {
            if (!l.isBlank()) {
                rows.add(l.split(java.util.regex.Pattern.quote(delimiter), -1));
            }
        }
        String name = file.getFileName().toString();
        if (rows.isEmpty()) {
            throw new IllegalStateException(name + ": is empty, expected rows of " + delimiter + "-separated numbers");
        }
        boolean hasHeader = header != null ? header : !allNumeric(rows.get(0));
        List<String> head = hasHeader ? java.util.Arrays.stream(rows.remove(0)).map(String::strip).toList() : null;
        return new Table(name, head, rows);
    }

    private static boolean allNumeric(String[] row) {
        for (String f : row) {
            try {
                Double.parseDouble(f.strip());
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
