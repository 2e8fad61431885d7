package dev.leakproof.junit;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps checked tests apart under JUnit's parallel execution: a heap reading is global to the JVM,
 * so a checked test holds this lock exclusively from its first measurement to its last, and every
 * other test the detector sees (skipped, or not switched on) holds it shared while it runs. Without
 * parallel execution the lock is never contended. Fair, so that checked tests are not starved.
 *
 * <p>Waits are {@link ForkJoinPool#managedBlock managed blocks} on JUnit's fork-join workers, so the
 * pool may start a spare worker rather than lose parallelism while a test waits.
 */
final class MeasurementLock {

    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock(true);

    private MeasurementLock() {
    }

    /**
     * Takes the lock exclusively, unless this thread holds it shared (a test running inside another
     * unchecked test, e.g. a dynamic test stolen by a waiting worker), which would deadlock.
     *
     * @return whether the lock was taken; if not, the caller must not measure the heap
     */
    static boolean lockExclusive() {
        if (LOCK.getReadHoldCount() > 0) {
            return false;
        }
        block(LOCK.writeLock());
        return true;
    }

    static void unlockExclusive() {
        LOCK.writeLock().unlock();
    }

    static void lockShared() {
        block(LOCK.readLock());
    }

    static void unlockShared() {
        LOCK.readLock().unlock();
    }

    private static void block(Lock lock) {
        if (lock.tryLock()) {
            return;
        }
        if (!(Thread.currentThread() instanceof ForkJoinWorkerThread)) {
            lock.lock();
            return;
        }
        ForkJoinPool.ManagedBlocker blocker = new ForkJoinPool.ManagedBlocker() {
            private boolean held;

            @Override
            public boolean block() {
                if (!held) {
                    lock.lock();
                    held = true;
                }
                return true;
            }

            @Override
            public boolean isReleasable() {
                if (!held) {
                    held = lock.tryLock();
                }
                return held;
            }
        };
        boolean interrupted = false;
        while (true) {
            try {
                ForkJoinPool.managedBlock(blocker);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
