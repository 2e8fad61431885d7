package dev.leakproof.pool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every leak report, for assertions. */
final class RecordingLeakListener implements LeakListener {

    final List<LeakReport> reports = new CopyOnWriteArrayList<>();

    @Override
    public void onLeak(LeakReport report) {
        reports.add(report);
    }

    long count(LeakVerdict verdict) {
        return reports.stream().filter(r -> r.verdict() == verdict).count();
    }

    List<LeakReport> of(LeakVerdict verdict) {
        return reports.stream().filter(r -> r.verdict() == verdict).toList();
    }
}
