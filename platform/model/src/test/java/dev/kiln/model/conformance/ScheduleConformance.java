package dev.kiln.model.conformance;

import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.model.MapParams;
import dev.kiln.model.PluginSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static dev.kiln.model.conformance.CheckTally.require;

/**
 * The conformance kit for learning-rate schedules: every registered schedule of a {@link PluginSource}
 * must have an {@link Example}, and each is driven for 30 epochs of 4 steps with a fixed metric series
 * (so reduce-on-plateau cuts):
 * <ul>
 *   <li>{@code ratesStayInRange}: every rate is finite, in {@code [0, base]} for a base of 0.1;</li>
 *   <li>{@code isDeterministic}: two instances fed the same calls give bit-identical rates;</li>
 *   <li>{@code stateRoundTripContinuesIdentically}: state exported after 12 epochs and imported into a
 *       fresh instance continues exactly as the uninterrupted schedule;</li>
 *   <li>{@code rejects <key>=<value>}: the example's bad hyper-parameter fails creation with a message
 *       naming the key, the value and the allowed range.</li>
 * </ul>
 */
public final class ScheduleConformance {

    /** Valid parameters of one schedule, and one invalid key/value with the range it violates. */
    public record Example(String schedule, Map<String, ?> params, String badKey, Object badValue) {
    }

    private static final Pattern RANGE = Pattern.compile(">=|<=|\\[|\\]|\\(|\\)|one of|at least|at most");
    private static final double BASE = 0.1;
    private static final int EPOCHS = 30;
    private static final int STEPS_PER_EPOCH = 4;

    /** Runs the kit over every schedule of {@code plugins}. */
    public CheckTally run(PluginSource plugins, List<Example> examples) {
        CheckTally tally = new CheckTally("schedule");
        for (String name : new TreeSet<>(plugins.names(PluginKind.SCHEDULE))) {
            Example e = examples.stream().filter(x -> x.schedule().equals(name)).findFirst().orElse(null);
            if (e == null) {
                tally.fail(name, "no conformance example: add one for this schedule");
                continue;
            }
            ScheduleFactory factory = plugins.factory(PluginKind.SCHEDULE, name, null, ScheduleFactory.class);
            tally.check(name + " ratesStayInRange", () -> {
                for (double r : drive(create(factory, e), 0, EPOCHS)) {
                    require(Double.isFinite(r) && r >= 0 && r <= BASE * (1 + 1e-12), "rate " + r + " outside [0, " + BASE + "]");
                }
            });
            tally.check(name + " isDeterministic", () -> {
                List<Double> a = drive(create(factory, e), 0, EPOCHS);
                List<Double> b = drive(create(factory, e), 0, EPOCHS);
                require(a.equals(b), "two runs differ: " + a + " vs " + b);
            });
            tally.check(name + " stateRoundTripContinuesIdentically", () -> {
                Schedule whole = create(factory, e);
                List<Double> expected = drive(whole, 0, EPOCHS);
                Schedule first = create(factory, e);
                drive(first, 0, 12);
                Schedule resumed = create(factory, e);
                resumed.importState(first.exportState());
                List<Double> rest = drive(resumed, 12, EPOCHS);
                require(rest.equals(expected.subList(12 * STEPS_PER_EPOCH, expected.size())),
                        "resumed rates " + rest + " differ from " + expected.subList(12 * STEPS_PER_EPOCH, expected.size()));
            });
            tally.check(name + " rejects " + e.badKey() + "=" + e.badValue(), () -> {
                java.util.Map<String, Object> bad = new java.util.LinkedHashMap<>(e.params());
                bad.put(e.badKey(), e.badValue());
                try {
                    factory.create(new MapParams("schedule.params", bad));
                } catch (IllegalArgumentException ex) {
                    String m = String.valueOf(ex.getMessage());
                    require(m.contains(e.badKey()), "message does not name the key: " + m);
                    require(m.contains(String.valueOf(e.badValue())), "message does not show the value: " + m);
                    require(RANGE.matcher(m).find(), "message does not state the allowed range: " + m);
                    return;
                }
                throw new AssertionError("accepted " + e.badKey() + "=" + e.badValue());
            });
        }
        return tally;
    }

    private static Schedule create(ScheduleFactory factory, Example e) {
        MapParams p = new MapParams("schedule.params", e.params());
        Schedule s = factory.create(p);
        p.requireAllRead(e.schedule());
        return s;
    }

    /** Rates for epochs [from, to), STEPS_PER_EPOCH steps each, observing a metric that stalls after epoch 5. */
    private static List<Double> drive(Schedule s, int from, int to) {
        List<Double> rates = new ArrayList<>();
        for (int epoch = from; epoch < to; epoch++) {
            for (int k = 0; k < STEPS_PER_EPOCH; k++) {
                rates.add(s.learningRate(BASE, (long) epoch * STEPS_PER_EPOCH + k, epoch));
            }
            s.observe(epoch < 5 ? 1.0 - 0.1 * epoch : 0.5 + 0.01 * (epoch % 3));
        }
        return rates;
    }
}
