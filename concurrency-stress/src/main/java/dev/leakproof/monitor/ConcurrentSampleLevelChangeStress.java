package dev.leakproof.monitor;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import dev.leakproof.stress.Quiet;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every level change is reported exactly once, in sample order, when samples arrive from several
 * threads: no lost and no doubled alert.
 *
 * <p>A watcher with the default thresholds (warning 80 %, cleared below 75 %) starts at NORMAL. One
 * actor samples 90 %; the other samples 90 % then 10 %. The arbiter records the raises (r1) and clears
 * (r2) the listener saw, the final level (r3: ordinal) and the watcher's own change count (r4).
 *
 * <p>Run alone: {@code java -jar concurrency-stress/target/jcstress.jar -t '\.ConcurrentSampleLevelChangeStress$' -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 2", expect = Expect.ACCEPTABLE, desc = "one alert raised, then cleared by the 10 % sample")
@Outcome(id = "2, 1, 1, 3", expect = Expect.ACCEPTABLE_INTERESTING, desc = "raised, cleared, then raised again by the sample that came last: three real changes")
@Outcome(expect = Expect.FORBIDDEN, desc = "an alert was lost or raised twice, or the listener and the watcher disagree on what happened")
@State
public class ConcurrentSampleLevelChangeStress {

    static {
        Quiet.logs();
    }

    private static final Reading HIGH = new Reading(0.90, 0);
    private static final Reading LOW = new Reading(0.10, 0);

    private final AtomicInteger raises = new AtomicInteger();
    private final AtomicInteger clears = new AtomicInteger();
    private final ThresholdWatcher watcher = new ThresholdWatcher("stress", Thresholds.DEFAULT).addListener(new MonitorListener() {
        @Override
        public void onLevelChange(LevelChange change) {
            (change.raised() ? raises : clears).incrementAndGet();
        }
    });

    @Actor
    public void sampler1() {
        watcher.sample(HIGH, 1);
    }

    @Actor
    public void sampler2() {
        watcher.sample(HIGH, 2);
        watcher.sample(LOW, 3);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = raises.get();
        r.r2 = clears.get();
        r.r3 = watcher.level().ordinal();
        r.r4 = (int) watcher.levelChanges();
    }
}
