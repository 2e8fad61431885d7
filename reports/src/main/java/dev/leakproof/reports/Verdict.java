package dev.leakproof.reports;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One judged check of a run, as written to {@code verdict.json} (format 2) and the page.
 *
 * @param name    stable identifier, e.g. {@code heap-growth}
 * @param status  the outcome; only {@link Status#PASS} passes
 * @param detail  one sentence for people
 * @param figures the numbers behind the outcome, by name, in display order
 */
public record Verdict(String name, Status status, String detail, Map<String, Object> figures) {

    /** Outcome of a check. */
    public enum Status {
        /** The check passed. */
        PASS,
        /** The check failed. */
        FAIL,
        /** The heap grew (or could not be shown not to grow) faster than the threshold. */
        LEAK,
        /** Too little data to judge: fails, since nothing was shown. */
        INCONCLUSIVE
    }

    /** Copies the figures so that the verdict is immutable in practice. */
    public Verdict {
        figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }

    /** Whether the check passed. */
    public boolean passed() {
        return status == Status.PASS;
    }
}
