package dev.leakproof.retry;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs the usage example of {@code docs/retry-buffer.md}, so that the documentation cannot drift from the code. */
class RetryBufferReadmeExampleTest {

    /** The seed's alert: it falls back to a coarse location when it is abandoned. */
    static final class Alert {
        final String id;
        AbandonReason fallbackBecause;

        Alert(String id) {
            this.id = id;
        }

        void useFallbackLocation(AbandonReason reason) {
            this.fallbackBecause = reason;
        }
    }

    /** Locates every alert except those whose id starts with "unknown". */
    static final class LocationService {
        List<Alert> locate(List<Alert> batch) {
            List<Alert> located = new ArrayList<>();
            for (Alert a : batch) {
                if (!a.id.startsWith("unknown")) {
                    located.add(a);
                }
            }
            return located;
        }
    }

    @Test
    void shouldRunTheDocumentedExampleWhenCopiedVerbatim() throws Exception {
        LocationService locationService = new LocationService();
        Alert alert = new Alert("a1");
        Alert unknown = new Alert("unknown-1");
        RetryBufferHealth last;

        // ---- from docs/retry-buffer.md (fromEnvironment with an empty map, so the host's variables do not matter)
        try (RetryBuffer<Alert> buffer = RetryBuffer.<Alert>builder()
                .name("location-batch")
                .fromEnvironment(Map.of())                          // LEAKPROOF_RETRY_* override the defaults
                .backoff(BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.2))
                .deadLetterListener(abandoned -> abandoned.item().useFallbackLocation(abandoned.reason()))
                .build()) {

            buffer.add(alert);                                      // producers
            buffer.add(unknown);

            buffer.process(50, batch -> {                           // a batching thread, periodically
                List<Alert> located = locationService.locate(batch);
                return located.size() == batch.size()
                        ? BatchResult.succeeded()
                        : BatchResult.partial(located, new IOException("no location for some alerts"));
            });

            RetryBufferHealth health = buffer.health().checkInvariants();
            System.out.printf("buffer %d/%d, oldest %s, abandoned %s%n",
                    health.size(), health.capacity(), health.maxItemAge(), health.abandoned());
            // ---- end of the example
            last = health;
        }
        assertEquals(1, last.succeeded());
        assertEquals(1, last.size(), "the unlocated alert waits for its retry");
        assertEquals(null, alert.fallbackBecause);
        assertEquals(AbandonReason.CLOSED, unknown.fallbackBecause, "closing hands it to the fallback");
    }
}
