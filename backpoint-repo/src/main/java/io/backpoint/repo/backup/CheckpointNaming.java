package io.backpoint.repo.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Names of the checkpoints one repository creates: its prefix (from the repository id, e.g.
 * {@code bp-1a2b3c4d-}) then the backup's start time to the millisecond, so the names of one
 * repository sort by time and another repository's or the user's checkpoints are never taken
 * for ours.
 */
final class CheckpointNaming {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final String prefix;

    CheckpointNaming(String prefix) {
        if (prefix == null || !prefix.matches("[a-zA-Z0-9_-][a-zA-Z0-9_.-]*")) {
            throw new IllegalArgumentException("bad checkpoint prefix '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String name(Instant time) {
        return prefix + STAMP.format(time);
    }

    /** The time a name of ours carries; empty for any other name. */
    Optional<Instant> time(String name) {
        if (!name.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(STAMP.parse(name.substring(prefix.length()))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    boolean ours(String name) {
        return time(name).isPresent();
    }
}
