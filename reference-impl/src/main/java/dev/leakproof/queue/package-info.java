/**
 * A bounded MPMC {@link java.util.concurrent.BlockingQueue} with overflow strategies, a drop
 * listener that accounts for every undelivered element, and a metrics snapshot. Start with
 * {@link dev.leakproof.queue.BoundedQueue}.
 */
package dev.leakproof.queue;
