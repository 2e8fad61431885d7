package dev.leakproof.stress;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences leakproof's {@code System.Logger} output inside the forked jcstress VMs: a race that
 * force-releases, reclaims or stops a pipeline logs once per state, and millions of log lines would
 * both slow the test and flood jcstress's captured VM output. The default {@code System.Logger}
 * backend is {@code java.util.logging}; the logger is held in a static field because JUL keeps
 * loggers weakly.
 */
public final class Quiet {

    private static final Logger ROOT = Logger.getLogger("dev.leakproof");

    static {
        ROOT.setLevel(Level.OFF);
    }

    private Quiet() {
    }

    /** Call from a stress test's static initialiser. Idempotent. */
    public static void logs() {
        ROOT.setLevel(Level.OFF);
    }
}
