package dev.leakproof.pool;

/**
 * Processes one chunk for a {@link ChunkProcessor}. The lease holds exactly the chunk's bytes and
 * is valid only during the call: the processor closes it when the call returns or throws. Do not
 * keep it. An exception is recorded as the chunk's failure; an interrupt means the run was
 * cancelled (timeout or the caller's interrupt).
 */
@FunctionalInterface
public interface ChunkHandler {
    void handle(long index, Lease chunk) throws Exception;
}
