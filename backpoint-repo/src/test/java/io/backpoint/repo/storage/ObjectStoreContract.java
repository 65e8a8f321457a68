package io.backpoint.repo.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every repository backend promises (the ObjectStore seam), run against each real backend:
 * the directory store and S3 (Ceph RGW). The repository's correctness rests on exactly these.
 */
abstract class ObjectStoreContract {
    ObjectStore store;

    abstract ObjectStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void putIfAbsentStoresOnceAndNeverOverwrites() throws Exception {
        assertThat(store.putIfAbsent("chunks/aa/one", bytes("first"))).isTrue();
        assertThat(store.putIfAbsent("chunks/aa/one", bytes("second"))).isFalse();
        assertThat(store.get("chunks/aa/one")).hasValueSatisfying(v -> assertThat(text(v)).isEqualTo("first"));
    }

    @Test
    void racingPutIfAbsentHasExactlyOneWinnerWhoseContentStays() throws Exception {
        int writers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String content = "writer-" + i;
                results.add(pool.submit(() -> store.putIfAbsent("race/key", bytes(content))));
            }
            int winner = -1;
            for (int i = 0; i < writers; i++) {
                if (results.get(i).get()) {
                    assertThat(winner).as("a second writer also won").isEqualTo(-1);
                    winner = i;
                }
            }
            assertThat(winner).as("no writer won").isNotEqualTo(-1);
            assertThat(text(store.get("race/key").orElseThrow())).isEqualTo("writer-" + winner);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void putReplacesWholeObjects() throws Exception {
        store.put("locks/backup-1", bytes("a".repeat(1000)));
        store.put("locks/backup-1", bytes("b"));
        assertThat(text(store.get("locks/backup-1").orElseThrow())).isEqualTo("b");
        assertThat(store.stat("locks/backup-1").orElseThrow().size()).isEqualTo(1);
    }

    @Test
    void missingObjectsAreEmptyNotErrors() throws Exception {
        assertThat(store.get("snapshots/vm/none.json")).isEmpty();
        assertThat(store.stat("snapshots/vm/none.json")).isEmpty();
        store.delete("snapshots/vm/none.json");
    }

    @Test
    void rangedReadsReturnTheBytesAskedForAndStopAtTheEnd() throws Exception {
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        store.putIfAbsent("chunks/bb/data", content);
        assertThat(store.get("chunks/bb/data", 1000, 10)).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 1010));
        assertThat(store.get("chunks/bb/data", 99_990, 100)).isEqualTo(java.util.Arrays.copyOfRange(content, 99_990, 100_000));
        assertThat(store.get("chunks/bb/data", 100_000, 10)).isEmpty();
        assertThat(store.get("chunks/bb/data", 0, 0)).isEmpty();
    }

    @Test
    void statGivesSizeAndAStoreTimeThatMovesForward() throws Exception {
        store.put("locks/gc-1", bytes("x"));
        var first = store.stat("locks/gc-1").orElseThrow();
        assertThat(first.size()).isEqualTo(1);
        Thread.sleep(1100);
        store.put("locks/gc-1", bytes("xy"));
        var second = store.stat("locks/gc-1").orElseThrow();
        assertThat(second.size()).isEqualTo(2);
        assertThat(second.lastModified()).isAfter(first.lastModified());
    }

    @Test
    void listReturnsEveryKeyUnderThePrefixInKeyOrderBeyondOnePage() throws Exception {
        // More than one S3 listing page (1,000 keys), written in parallel.
        int count = 1100;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Boolean>> puts = IntStream.range(0, count)
                    .mapToObj(i -> (Callable<Boolean>) () -> store.putIfAbsent(String.format("chunks/%02x/k%05d", i % 7, i), bytes("v")))
                    .toList();
            for (Future<Boolean> f : pool.invokeAll(puts)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        store.put("snapshots/vm/s.json", bytes("{}"));
        List<ObjectInfo> chunks = store.list("chunks/");
        assertThat(chunks).hasSize(count);
        List<String> keys = chunks.stream().map(ObjectInfo::key).toList();
        assertThat(keys).isSorted();
        assertThat(keys).allMatch(k -> k.startsWith("chunks/"));
        assertThat(store.list("chunks/03/")).hasSize((int) IntStream.range(0, count).filter(i -> i % 7 == 3).count());
        assertThat(store.list("snapshots/")).extracting(ObjectInfo::key).containsExactly("snapshots/vm/s.json");
        assertThat(store.list("")).hasSize(count + 1);
    }

    @Test
    void deleteRemovesAndIsIdempotent() throws Exception {
        store.putIfAbsent("chunks/cc/gone", bytes("x"));
        store.delete("chunks/cc/gone");
        store.delete("chunks/cc/gone");
        assertThat(store.get("chunks/cc/gone")).isEmpty();
        assertThat(store.list("chunks/cc/")).isEmpty();
        assertThat(store.putIfAbsent("chunks/cc/gone", bytes("again"))).isTrue();
    }

    @Test
    void keysThatCouldEscapeAreRefused() {
        for (String bad : List.of("/abs", "a/../b", "../x", "a//b", "a/", "", "a/./b")) {
            assertThatThrownBy(() -> store.put(bad, bytes("x"))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
