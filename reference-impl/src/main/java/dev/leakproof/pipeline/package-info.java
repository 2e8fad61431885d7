/**
 * A producer/worker pipeline over bounded queues: backpressure, a stop flag checked before each
 * batch and while the producer is blocked, an optional memory guard, a bounded shutdown and a
 * report that accounts for every batch and names every thread left running. Start with
 * {@link dev.leakproof.pipeline.Pipeline}.
 */
package dev.leakproof.pipeline;
