package dev.kiln.run;

/**
 * An experiment spec that cannot run: one line per problem, each naming the file, the line, the path in the
 * document and the fix, e.g. {@code fashion.yaml:14: optimizer.name: "adamm" is not a registered optimizer;
 * did you mean "adam"?}.
 */
public final class SpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
