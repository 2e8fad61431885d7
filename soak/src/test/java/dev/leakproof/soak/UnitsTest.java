package dev.leakproof.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void shouldParseDurationsWhenWrittenWithAUnit() {
        assertEquals(Duration.ofSeconds(90), Units.parseDuration("--duration", "90s"));
        assertEquals(Duration.ofMinutes(3), Units.parseDuration("--duration", "3m"));
        assertEquals(Duration.ofHours(24), Units.parseDuration("--duration", "24h"));
        assertEquals(Duration.ofMillis(500), Units.parseDuration("--duration", "500ms"));
        assertEquals(Duration.ofDays(2), Units.parseDuration("--duration", "2d"));
    }

    @Test
    void shouldNameTheValueWhenADurationIsMalformed() {
        for (String bad : new String[] {"", "90", "3 m", "1.5h", "-3m", "3min", "h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Units.parseDuration("--duration", bad));
            assertTrue(e.getMessage().contains("--duration '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseDurationsWhenZeroOrBeyondThirtyDays() {
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("--duration", "0s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Units.parseDuration("--duration", "31d"));
        assertTrue(e.getMessage().contains("30d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("--duration", "99999999999999999999h"));
    }

    @Test
    void shouldParseRatesInBytesPerMinuteWhenWrittenWithUnitAndPeriod() {
        assertEquals(0, Units.parseRate("--inject-leak", "0"));
        assertEquals(2L << 20, Units.parseRate("--inject-leak", "2MiB/min"));
        assertEquals(512L << 10, Units.parseRate("--inject-leak", "512KiB/min"));
        assertEquals(60L << 10, Units.parseRate("--inject-leak", "1KiB/s"));
        assertEquals(1L << 20, Units.parseRate("--inject-leak", "60MiB/h"));
        assertEquals(3L << 19, Units.parseRate("--inject-leak", "1.5MiB/min"));
        assertEquals(100, Units.parseRate("--inject-leak", "100B/min"));
    }

    @Test
    void shouldNameTheValueWhenARateIsMalformed() {
        for (String bad : new String[] {"4MB/min", "4MiB", "2 MiB/min", "-1MiB/min", "4MiB/day", "fast", "0.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Units.parseRate("--inject-leak", bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("2MiB/min"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseARateWhenAboveTheLimit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Units.parseRate("--inject-leak", "2GiB/min"));
        assertTrue(e.getMessage().contains("1GiB/min"), e.getMessage());
    }

    @Test
    void shouldParseHeapSizesWhenWrittenAsXmx() {
        assertEquals(256L << 20, Units.parseSize("--heap", "256m"));
        assertEquals(256L << 20, Units.parseSize("--heap", "256M"));
        assertEquals(1L << 30, Units.parseSize("--heap", "1g"));
        assertEquals(32L << 20, Units.parseSize("--heap", "32768k"));
        assertEquals(268435456L, Units.parseSize("--heap", "268435456"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize("--heap", "lots"));
        assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("--heap", "1m"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("--heap", "2048g"));
    }
}
