package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which snapshots of one domain to keep, as restic's forget and PBS's prune decide it: each rule
 * walks the snapshots newest first and keeps the newest snapshot of each of its last N periods
 * (keep-last: each snapshot is its own period). Rules are independent: a snapshot kept by one
 * also counts as its period's snapshot for the others. Periods are calendar days, ISO weeks and
 * months in the given time zone.
 */
public record PrunePolicy(int keepLast, int keepDaily, int keepWeekly, int keepMonthly) {
    public PrunePolicy {
        if (keepLast < 0 || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "keep counts must not be negative");
        }
        if (keepLast + keepDaily + keepWeekly + keepMonthly == 0) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "this policy keeps nothing; give at least one --keep-* option above 0");
        }
    }

    /** A snapshot and the rules that keep it (empty: it is removed). */
    public record Decision(String id, Instant time, List<String> keptBy) {
        public boolean keep() {
            return !keptBy.isEmpty();
        }
    }

    /** Decisions for {@code snapshots} (any order), newest first. */
    public List<Decision> apply(List<Snapshot> snapshots, ZoneId zone) {
        List<Snapshot> newestFirst = new ArrayList<>(snapshots);
        newestFirst.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id).reversed());
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        newestFirst.forEach(s -> reasons.put(s.id(), new ArrayList<>()));
        rule("last", keepLast, newestFirst, s -> s.id(), reasons);
        rule("daily", keepDaily, newestFirst, s -> local(s, zone).toLocalDate(), reasons);
        rule("weekly", keepWeekly, newestFirst, s -> {
            ZonedDateTime t = local(s, zone);
            return t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        }, reasons);
        rule("monthly", keepMonthly, newestFirst, s -> {
            ZonedDateTime t = local(s, zone);
            return t.getYear() + "-" + t.getMonthValue();
        }, reasons);
        List<Decision> decisions = new ArrayList<>();
        for (Snapshot s : newestFirst) {
            decisions.add(new Decision(s.id(), s.time(), List.copyOf(reasons.get(s.id()))));
        }
        return decisions;
    }

    private static void rule(String name, int count, List<Snapshot> newestFirst, Function<Snapshot, Object> period,
            Map<String, List<String>> reasons) {
        Set<Object> seen = new HashSet<>();
        for (Snapshot s : newestFirst) {
            if (seen.size() >= count) {
                return;
            }
            if (seen.add(period.apply(s))) {
                reasons.get(s.id()).add(name);
            }
        }
    }

    private static ZonedDateTime local(Snapshot s, ZoneId zone) {
        return s.time().atZone(zone);
    }

}
