/**
 * A retry buffer bounded in size, age and attempts, whose in-flight batches are leases that are
 * reclaimed when they go stale, and which hands every item it gives up to a dead-letter listener
 * with a typed reason. Start with {@link dev.leakproof.retry.RetryBuffer}.
 */
package dev.leakproof.retry;
