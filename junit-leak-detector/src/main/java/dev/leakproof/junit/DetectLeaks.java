package dev.leakproof.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Turns the {@link LeakDetector} on for a test class (its tests, its subclasses' and its
 * {@code @Nested} classes' tests) or a test method, and overrides its settings there. Without
 * attributes the run-wide settings apply (see {@link LeakDetector} for the keys). The annotation
 * nearest to the test wins, attribute by attribute: a method's {@code thresholdMb} overrides the
 * class's, which overrides {@code -Dleakproof.leakThresholdMb}; an attribute left at its default
 * inherits. A {@link SkipLeakDetection} nearer to the test turns detection off.
 *
 * <pre>{@code
 * @DetectLeaks(thresholdMb = 10, warmups = 1)
 * class IngestTest { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(LeakDetector.class)
public @interface DetectLeaks {

    /** Marks {@link #thresholdMb()} as inherited. */
    double INHERIT_THRESHOLD = -1;
    /** Marks {@link #warmups()} as inherited. */
    int INHERIT_WARMUPS = -1;

    /**
     * The heap growth, in MB of 10^6 bytes, above which the test fails; greater than 0. Default:
     * inherited ({@code leakproof.leakThresholdMb}, else 5.0).
     */
    double thresholdMb() default INHERIT_THRESHOLD;

    /**
     * How many times to run the test body before the measured run, on the same test instance, so
     * that first-time class initialisation, lazy singletons and caches filled on first use are not
     * taken for leaks; from 0 to {@value LeakDetector#MAX_WARMUPS}. Default: inherited
     * ({@code leakproof.leakWarmups}, else 0).
     */
    int warmups() default INHERIT_WARMUPS;

    /** The checks to run. Default (empty): inherited ({@code leakproof.leakChecks}, else all three). */
    Check[] checks() default {};

    /**
     * Names of threads that may outlive the test, as globs ({@code *} any characters, {@code ?} one),
     * in addition to the run-wide allow-list and the built-in one.
     */
    String[] allowThreads() default {};
}
