package dev.kiln.plugins.generative;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainerFactory;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;
import java.util.List;

/**
 * CycleGAN (Zhu et al., 2017, arXiv:1703.10593): unpaired translation between two image domains X and Y cut out of
 * the spec's labelled dataset; see {@link CycleGanTrainer}. The spec names four models — {@code g} (X → Y),
 * {@code f} (Y → X), both image to image of the dataset's shape, and {@code d_x}, {@code d_y} (one logit, or a map of
 * patch logits, per image) — two optimizers, {@code generators} (over g and f) and {@code discriminators} (over d_x and
 * d_y), and the cycle-consistency loss as {@code loss: {name: l1}} (mean).
 * <pre>{@code
 * trainer:
 *   name: cyclegan
 *   params:
 *     domain_x: {classes: Sandal}              # class names (or indices), comma-separated: "T-shirt/top, Shirt"
 *     domain_y: {classes: Sneaker}             # or {classes: Sandal, transform: invert}: Y is X's images inverted
 *     adversarial_loss: least_squares          # (D(·) - target)², as Zhu et al.; or bce (on logits), the original GAN's
 *     lambda_cycle: 10                         # λ of λ·(|F(G(x)) - x| + |G(F(y)) - y|)
 *     lambda_identity: 0                       # weight of |G(y) - y| + |F(x) - x| (Zhu et al. use 0.5·λ for paintings)
 *     samples: 12                              # test images per grid, shown as (x, G(x), F(G(x))) triples
 *     checkpoint_every_steps: 0
 * }</pre>
 * Transforms (applied to a domain's images, in the data's own value range): {@code none}, {@code invert},
 * {@code rotate90}, {@code rotate180}, {@code rotate270} (counter-clockwise), {@code flip_horizontal},
 * {@code flip_vertical}. The images of a class in both domains are split between them (alternately, in the split's
 * order), so that no image is in both; each domain is shuffled by its own seeded order, so batches are unpaired.
 */
@Component(property = {"kiln.kind=trainer", "kiln.name=cyclegan"})
public final class CycleGanTrainerFactory implements TrainerFactory {

    /** How a domain's images are changed before use. */
    enum Transform {
        NONE, INVERT, ROTATE90, ROTATE180, ROTATE270, FLIP_HORIZONTAL, FLIP_VERTICAL;

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static List<String> ids() {
            return Arrays.stream(values()).map(Transform::id).toList();
        }
    }

    /**
     * One domain: a set of the dataset's classes, as written ({@code "Sandal"}, {@code "5, 7"}; resolved against the
     * dataset's class names when the run starts), and a transform.
     *
     * @param path where the domain sits in the spec, for messages ({@code trainer.params.domain_x})
     */
    public record Domain(String path, List<String> classes, Transform transform) {
        public Domain {
            classes = List.copyOf(classes);
            if (classes.isEmpty()) {
                throw new IllegalArgumentException(path + ".classes: name at least one class, e.g. classes: Sandal or classes: \"5, 7\"");
            }
        }
    }

    /** Validated settings; see the class comment. */
    public record CycleGanSpec(Domain x, Domain y, boolean leastSquares, double lambdaCycle, double lambdaIdentity, int samples,
                               int checkpointEverySteps) {
        public CycleGanSpec {
            if (x.classes().equals(y.classes()) && x.transform() == y.transform()) {
                throw new IllegalArgumentException("domain_x and domain_y are the same images (classes " + x.classes() + ", transform "
                        + x.transform().id() + "); give domain_y other classes or a transform, e.g. domain_y: {classes: "
                        + String.join(", ", y.classes()) + ", transform: invert}");
            }
            if (checkpointEverySteps < 0) {
                throw new IllegalArgumentException("checkpoint_every_steps must be in [0, inf), got " + checkpointEverySteps);
            }
        }
    }

    static CycleGanSpec read(Params params) {
        try {
            String adversarial = params.getString("adversarial_loss", "least_squares");
            if (!adversarial.equals("least_squares") && !adversarial.equals("bce")) {
                throw new IllegalArgumentException("adversarial_loss must be least_squares or bce, got \"" + adversarial + "\"");
            }
            return new CycleGanSpec(domain(params, "domain_x"), domain(params, "domain_y"), adversarial.equals("least_squares"),
                    Parts.nonNegative(params, "lambda_cycle", 10), Parts.nonNegative(params, "lambda_identity", 0),
                    Parts.positive(params, "samples", 12), params.getInt("checkpoint_every_steps", 0));
        } catch (IllegalArgumentException e) {
            throw Parts.located(params, e);
        }
    }

    private static Domain domain(Params params, String key) {
        if (!params.has(key)) {
            throw new IllegalArgumentException(key + " is required: the classes of the domain's images, e.g. " + key
                    + ": {classes: Sandal} or {classes: Sandal, transform: invert}");
        }
        Params d = params.getParams(key);
        String path = params.path() + "." + key;
        String classes;
        try {
            classes = d.getString("classes");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; write the classes as one string of names or indices, e.g. "
                    + "classes: Sandal or classes: \"5, 7\"", e);
        }
        String t = d.getString("transform", "none");
        if (!Transform.ids().contains(t)) {
            throw new IllegalArgumentException(path + ".transform must be one of " + Transform.ids() + ", got \"" + t + "\"");
        }
        List<String> names = Arrays.stream(classes.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        return new Domain(path, names, Transform.valueOf(t.toUpperCase(java.util.Locale.ROOT)));
    }

    @Override
    public Trainer create(Params params) {
        return new CycleGanTrainer(read(params));
    }
}
