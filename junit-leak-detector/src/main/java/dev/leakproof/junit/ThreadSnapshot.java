package dev.leakproof.junit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The platform threads alive at one moment, by identity (their ids), and after a test: the ones
 * started since that are still alive. Virtual threads are not listed by the JDK and so not checked.
 */
final class ThreadSnapshot {

    /** Frames shown per leaked thread. */
    static final int MAX_FRAMES = 16;

    private final Set<Long> ids;

    private ThreadSnapshot(Set<Long> ids) {
        this.ids = ids;
    }

    /** The threads alive now. */
    static ThreadSnapshot take() {
        Set<Long> ids = new HashSet<>();
        for (Thread t : liveThreads()) {
            ids.add(t.getId());
        }
        return new ThreadSnapshot(ids);
    }

    /**
     * The threads started since this snapshot, not allowed by name, that are still alive after up to
     * {@code graceNanos} of waiting for them to end.
     */
    List<Thread> leakedSince(List<Pattern> allowed, long graceNanos) throws InterruptedException {
        long deadline = System.nanoTime() + graceNanos;
        List<Thread> suspects = newThreads(allowed);
        for (Thread t : suspects) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
        }
        // A thread may have started another before it ended: look again.
        return newThreads(allowed);
    }

    private List<Thread> newThreads(List<Pattern> allowed) {
        List<Thread> result = new ArrayList<>();
        Thread self = Thread.currentThread();
        for (Thread t : liveThreads()) {
            if (t != self && t.isAlive() && !ids.contains(t.getId()) && !isFrameworkThread(t)
                    && !isAllowed(t.getName(), allowed)) {
                result.add(t);
            }
        }
        return result;
    }

    /**
     * Whether the thread is one of JUnit's own (the workers of its parallel executor are started on
     * demand, named like any {@code ForkJoinPool}'s, but are of JUnit's thread class).
     */
    static boolean isFrameworkThread(Thread t) {
        return t.getClass().getName().startsWith("org.junit.");
    }

    static boolean isAllowed(String name, List<Pattern> allowed) {
        for (Pattern p : allowed) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Describes leaked threads: name, daemon, state, stack. */
    static String describe(List<Thread> threads) {
        StringBuilder sb = new StringBuilder();
        for (Thread t : threads) {
            sb.append("  \"").append(t.getName()).append('"')
                    .append(t.isDaemon() ? " daemon" : "")
                    .append(" state=").append(t.getState()).append('\n');
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < Math.min(stack.length, MAX_FRAMES); i++) {
                sb.append("      at ").append(frame(stack[i])).append('\n');
            }
            if (stack.length > MAX_FRAMES) {
                sb.append("      ... ").append(stack.length - MAX_FRAMES).append(" more\n");
            }
        }
        return sb.toString();
    }

    /** A frame as {@code pkg.Class.method(File.java:12)}, without the module and class loader prefixes. */
    static String frame(StackTraceElement e) {
        String where;
        if (e.isNativeMethod()) {
            where = "Native Method";
        } else if (e.getFileName() == null) {
            where = "Unknown Source";
        } else {
            where = e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
        }
        return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
    }

    private static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads;
        int n;
        do {
            threads = new Thread[root.activeCount() * 2 + 16];
            n = root.enumerate(threads, true);
        } while (n == threads.length);
        List<Thread> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            result.add(threads[i]);
        }
        return result;
    }
}
