package dev.leakproof.junit;

import one.convert.Arguments;
import one.convert.JfrToFlame;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Allocation flame graphs with async-profiler's {@code jfr-converter}, an optional dependency: this
 * class is loaded only when flame graphs are on, after {@link #checkAvailable()} said the converter is
 * on the class path.
 */
final class FlameGraphs {

    static final String CONVERTER_CLASS = "one.convert.JfrToFlame";

    private FlameGraphs() {
    }

    /**
     * Checks that the converter can be loaded by {@code loader} (the detector's own class loader).
     *
     * @throws IllegalStateException when {@code tools.profiler:jfr-converter} is not on the test class path
     */
    static void checkAvailable(ClassLoader loader) {
        try {
            Class.forName(CONVERTER_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(LeakDetector.PROP_FLAME_GRAPH + "=true needs async-profiler's converter"
                    + " on the test class path: add the test dependency tools.profiler:jfr-converter"
                    + " (leakproof is built and tested with 4.5)", e);
        }
    }

    /** Writes an HTML allocation flame graph of the allocation samples in {@code jfr} to {@code html}. */
    static Path write(Path jfr, Path html, String title) throws IOException {
        Arguments args = new Arguments("--alloc", "--total", "--title", title);
        JfrToFlame.convert(jfr.toString(), html.toString(), args);
        return html;
    }
}
