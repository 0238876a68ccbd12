package dev.kiln.engine.backend;

/**
 * Makes a {@link Backend} available to the host. Implementations are listed in
 * {@code META-INF/services/dev.kiln.engine.backend.BackendProvider} of the backend's jar and must
 * do no work (no native loading) until {@link #probe} or {@link #create} is called.
 */
public interface BackendProvider {

    /** The backend's stable name, as {@link Backend#name()}. */
    String name();

    /** Higher ranks are chosen first when the user names no backend. */
    int rank();

    /**
     * Checks whether this backend can run here (libraries load, a device is present). Must not
     * throw: any {@link Throwable} is caught and reported as the reason.
     *
     * @return {@code null} when usable, otherwise a one-line reason naming what is missing
     */
    String probe();

    /** Creates the backend computing with {@code threads} threads. */
    Backend create(int threads);
}
