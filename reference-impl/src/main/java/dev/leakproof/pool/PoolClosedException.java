package dev.leakproof.pool;

/** Thrown by an acquisition on a closed {@link BufferPool}, or by one waiting when the pool closes. */
public final class PoolClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public PoolClosedException(String message) {
        super(message);
    }
}
