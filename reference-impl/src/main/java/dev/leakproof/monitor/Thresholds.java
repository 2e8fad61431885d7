package dev.leakproof.monitor;

/**
 * Warning and critical utilisation levels with hysteresis: a level is raised when utilisation
 * reaches its threshold, and cleared only when utilisation falls below {@code threshold - hysteresis},
 * so a value that wobbles around a threshold raises one alert, not one per sample.
 *
 * @param warning    utilisation that raises {@link Level#WARNING}, in {@code (0, 1]}
 * @param critical   utilisation that raises {@link Level#CRITICAL}, in {@code [warning, 1]}
 * @param hysteresis how far below a threshold utilisation must fall to clear it, in {@code [0, warning)}
 */
public record Thresholds(double warning, double critical, double hysteresis) {

    /** The seeds' levels: warning at 80 %, critical at 95 %, cleared 5 points lower. */
    public static final Thresholds DEFAULT = new Thresholds(0.80, 0.95, 0.05);

    public Thresholds {
        if (!(warning > 0.0 && warning <= 1.0)) {
            throw new IllegalArgumentException("warning must be in (0, 1] but was " + warning);
        }
        if (!(critical >= warning && critical <= 1.0)) {
            throw new IllegalArgumentException("critical must be in [warning=" + warning + ", 1] but was " + critical);
        }
        if (!(hysteresis >= 0.0 && hysteresis < warning)) {
            throw new IllegalArgumentException("hysteresis must be in [0, warning=" + warning + ") but was " + hysteresis);
        }
    }

    /** These thresholds with another warning level (critical is raised to it if lower). */
    public Thresholds withWarning(double newWarning) {
        return new Thresholds(newWarning, Math.max(critical, newWarning), Math.min(hysteresis, newWarning / 2));
    }

    /** The level that {@code utilisation} raises, ignoring hysteresis. */
    Level raised(double utilisation) {
        return utilisation >= critical ? Level.CRITICAL : utilisation >= warning ? Level.WARNING : Level.NORMAL;
    }

    /** The highest level {@code utilisation} still holds once raised: thresholds lowered by the hysteresis. */
    Level held(double utilisation) {
        return utilisation >= critical - hysteresis ? Level.CRITICAL
                : utilisation >= warning - hysteresis ? Level.WARNING : Level.NORMAL;
    }

    /** The next level from {@code current} for a new reading. */
    Level next(Level current, double utilisation) {
        Level up = raised(utilisation);
        if (up.compareTo(current) >= 0) {
            return up;
        }
        Level held = held(utilisation);
        return held.compareTo(current) < 0 ? held : current;
    }
}
