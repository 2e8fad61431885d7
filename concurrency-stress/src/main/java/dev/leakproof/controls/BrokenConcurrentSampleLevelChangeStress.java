package dev.leakproof.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * NEGATIVE CONTROL for {@code dev.leakproof.monitor.ConcurrentSampleLevelChangeStress}: the same race and the same outcomes, against
 * a watcher whose {@code sample} is not serialised: it reads the level, decides, and writes it back with plain fields. jcstress must report a FORBIDDEN outcome here (one alert raised twice); if it does not, the real
 * test has no power.
 *
 * <p>Run alone (expect exit code 1): {@code java -jar concurrency-stress/target/jcstress.jar -t BrokenConcurrentSampleLevelChangeStress -m quick}
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 2", expect = Expect.ACCEPTABLE, desc = "one alert raised, then cleared by the 10 % sample")
@Outcome(id = "2, 1, 1, 3", expect = Expect.ACCEPTABLE_INTERESTING, desc = "raised, cleared, then raised again by the sample that came last: three real changes")
@Outcome(expect = Expect.FORBIDDEN, desc = "an alert was lost or raised twice, or the listener and the watcher disagree on what happened")
@State
public class BrokenConcurrentSampleLevelChangeStress {

    private static final int NORMAL = 0;
    private static final int WARNING = 1;

    private final AtomicInteger raises = new AtomicInteger();
    private final AtomicInteger clears = new AtomicInteger();
    private final AtomicInteger changes = new AtomicInteger();
    private int level = NORMAL;

    private void sample(double utilisation) {
        int before = level;
        Window.open();
        int after = utilisation >= 0.80 ? WARNING : utilisation < 0.75 ? NORMAL : before;
        level = after;
        if (after != before) {
            changes.incrementAndGet();
            (after > before ? raises : clears).incrementAndGet();
        }
    }

    @Actor
    public void sampler1() {
        sample(0.90);
    }

    @Actor
    public void sampler2() {
        sample(0.90);
        sample(0.10);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = raises.get();
        r.r2 = clears.get();
        r.r3 = level;
        r.r4 = changes.get();
    }
}
