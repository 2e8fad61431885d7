package dev.leakproof.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a test method, or every test of a class, from the {@link LeakDetector}, whatever the
 * run-wide switch says: for tests that keep memory or threads on purpose. The annotation nearest
 * to the test wins, so a method annotated with {@link DetectLeaks} in a skipped class is checked; on
 * the same element, this annotation wins over {@link DetectLeaks}.
 *
 * <pre>{@code
 * @Test
 * @SkipLeakDetection("fills the process-wide schema cache on purpose")
 * void shouldCacheEverySchema() { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface SkipLeakDetection {

    /** Why the test is exempt; shown in the detector's log. */
    String value() default "";
}
