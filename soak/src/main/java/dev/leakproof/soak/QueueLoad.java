package dev.leakproof.soak;

import dev.leakproof.queue.BoundedQueue;
import dev.leakproof.queue.OverflowStrategy;
import dev.leakproof.queue.QueueMetrics;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two {@link BoundedQueue}s whose producers outrun a slow consumer: {@code soak-drop-oldest}
 * (capacity 1000, {@code DROP_OLDEST}) and {@code soak-block} (capacity 200, {@code BLOCK}, block
 * timeout 20 ms). At pace 1 each producer offers about 2000 messages/s (64 B to 2 KiB), five times
 * that during a burst (seconds 20-25 of every minute); each consumer takes about 1500/s and stalls
 * for seconds 40-45 of every minute. Drops and timeouts are the expected result.
 */
final class QueueLoad extends Load {

    static final long CYCLE_MS = 60_000;
    private static final int TICK_MS = 10;

    private final List<BoundedQueue<byte[]>> queues;
    private final AtomicLong listenerDrops = new AtomicLong();

    QueueLoad(Config config) {
        super(config);
        BoundedQueue<byte[]> dropOldest = BoundedQueue.<byte[]>builder().name("soak-drop-oldest").capacity(1000)
                .strategy(OverflowStrategy.DROP_OLDEST).dropListener((m, r) -> listenerDrops.incrementAndGet()).build();
        BoundedQueue<byte[]> block = BoundedQueue.<byte[]>builder().name("soak-block").capacity(200)
                .strategy(OverflowStrategy.BLOCK).blockTimeout(Duration.ofMillis(20))
                .dropListener((m, r) -> listenerDrops.incrementAndGet()).build();
        queues = List.of(dropOldest, block);
    }

    @Override
    public void start() {
        for (int i = 0; i < queues.size(); i++) {
            BoundedQueue<byte[]> q = queues.get(i);
            SplittableRandom random = new SplittableRandom(config.seed() * 31 + i);
            boolean announcer = i == 0;
            boolean[] inBurst = {false};
            spawn(q.name() + "-producer", () -> {
                long c = cycleMs(CYCLE_MS);
                boolean burst = c >= 20_000 && c < 25_000;
                if (announcer && burst != inBurst[0]) {
                    inBurst[0] = burst;
                    config.events().add("phase", burst ? "queue burst start" : "queue burst end");
                }
                int n = burst ? 100 : 20;
                for (int k = 0; k < n && running(); k++) {
                    q.offer(new byte[64 + random.nextInt(1985)]);
                }
                pause(TICK_MS);
            });
            boolean[] inStall = {false};
            spawn(q.name() + "-consumer", () -> {
                long c = cycleMs(CYCLE_MS);
                boolean stall = c >= 40_000 && c < 45_000;
                if (announcer && stall != inStall[0]) {
                    inStall[0] = stall;
                    config.events().add("phase", stall ? "queue consumer stall start" : "queue consumer stall end");
                }
                if (!stall) {
                    for (int k = 0; k < 15; k++) {
                        byte[] m = q.poll();
                        if (m == null) {
                            break;
                        }
                    }
                }
                pause(TICK_MS);
            });
        }
    }

    @Override
    public void writeStats(Json json) {
        json.array("queues");
        for (BoundedQueue<byte[]> q : queues) {
            QueueMetrics m = q.metrics();
            json.element().field("name", m.name()).field("strategy", q.strategy().name())
                    .field("capacity", m.capacity()).field("size", m.size())
                    .field("highWaterMark", m.highWaterMark()).field("accepted", m.accepted())
                    .field("delivered", m.delivered()).field("dropped", m.dropped())
                    .field("timedOut", m.timedOut()).end();
        }
        json.endArray();
    }

    @Override
    public long drops() {
        long sum = 0;
        for (BoundedQueue<byte[]> q : queues) {
            sum += q.metrics().dropped();
        }
        return sum;
    }

    @Override
    protected void closeComponents() {
        for (BoundedQueue<byte[]> q : queues) {
            q.closeAndDiscard();
        }
    }
}
