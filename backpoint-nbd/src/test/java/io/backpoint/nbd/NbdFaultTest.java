package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.backpoint.nbd.FakeNbdServer.Fault;
import io.backpoint.nbd.NbdException.Kind;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/** Hostile and broken servers: every fault ends in a typed NbdException, quickly, never a hang. */
class NbdFaultTest {
    private static final int SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private static byte[] disk() {
        byte[] d = new byte[SIZE];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 7 + i / 4096);
        }
        return d;
    }

    private static NbdConnectOptions options() {
        return NbdConnectOptions.export(FakeNbdServer.EXPORT).withTimeout(TIMEOUT);
    }

    /** Runs {@code body} against a fresh fake server, failing the test if it takes over 10 s. */
    private static void with(Fault fault, ThrowingConsumer<FakeNbdServer> body) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (FakeNbdServer server = new FakeNbdServer(disk(), fault)) {
                body.accept(server);
            }
        });
    }

    private static void assertNbd(Throwable e, Kind kind, String text) {
        assertThat(e).isInstanceOf(NbdException.class).hasMessageContaining(text);
        assertThat(((NbdException) e).kind()).isEqualTo(kind);
    }

    @Test
    void wellBehavedServerWorks() {
        with(Fault.NONE, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThat(c.size()).isEqualTo(SIZE);
                assertThat(c.read(4096, 8192).array()).isEqualTo(Arrays.copyOfRange(disk(), 4096, 4096 + 8192));
                c.write(0, new byte[] {1, 2, 3, 4});
                c.flush();
                assertThat(c.read(0, 4).array()).containsExactly(1, 2, 3, 4);
            }
            assertThat(server.requests()).contains("READ 4096 8192", "WRITE 0 4", "FLUSH 0 0");
        });
    }

    @Test
    void badGreetingMagic() {
        with(Fault.BAD_GREETING_MAGIC, server -> assertThatThrownBy(
                () -> NbdClient.connect(server.address(), options()))
                .satisfies(e -> assertNbd(e, Kind.PROTOCOL, "not an NBD server")));
    }

    @Test
    void oversizedOptionReplyIsRefusedBeforeAllocating() {
        with(Fault.OVERSIZED_OPTION_REPLY, server -> assertThatThrownBy(
                () -> NbdClient.connect(server.address(), options()))
                .satisfies(e -> assertNbd(e, Kind.PROTOCOL, "exceeds the limit")));
    }

    @Test
    void unknownExportCarriesTheServersMessage() {
        with(Fault.NONE, server -> assertThatThrownBy(
                () -> NbdClient.connect(server.address(), NbdConnectOptions.export("nope").withTimeout(TIMEOUT)))
                .satisfies(e -> assertNbd(e, Kind.OPTION_REFUSED, "export 'nope' not found: no such export")));
    }

    @Test
    void simpleRepliesWhenStructuredRepliesAreRefused() {
        with(Fault.NO_STRUCTURED_REPLIES, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThat(c.structuredReplies()).isFalse();
                assertThat(c.read(SIZE - 512, 512).array()).isEqualTo(Arrays.copyOfRange(disk(), SIZE - 512, SIZE));
            }
            assertThatThrownBy(() -> NbdClient.connect(server.address(),
                    options().withMetaContexts(MetaContext.BASE_ALLOCATION)))
                    .satisfies(e -> assertNbd(e, Kind.UNSUPPORTED, "structured replies"));
        });
    }

    @Test
    void badReplyMagicDropsTheConnection() {
        with(Fault.BAD_REPLY_MAGIC, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 512)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "bad reply magic"));
                assertThatThrownBy(() -> c.read(0, 512)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "bad reply magic"));
            }
        });
    }

    @Test
    void oversizedChunkLengthIsRejectedAtOnce() {
        with(Fault.OVERSIZED_CHUNK, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> c.read(0, 4096)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "data chunk of"));
                // Rejected from the header, not after the watchdog gave up waiting for the payload.
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT);
            }
        });
    }

    @Test
    void oversizedBlockStatusChunk() {
        with(Fault.HUGE_STATUS_CHUNK, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options().withMetaContexts(MetaContext.BASE_ALLOCATION))) {
                assertThatThrownBy(() -> c.blockStatus(MetaContext.BASE_ALLOCATION, 0, SIZE))
                        .satisfies(e -> assertNbd(e, Kind.PROTOCOL, "block status chunk of"));
            }
        });
    }

    @Test
    void unknownCookie() {
        with(Fault.UNKNOWN_COOKIE, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 512)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "unknown cookie"));
            }
        });
    }

    @Test
    void silentServerTimesOut() {
        with(Fault.STALL, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> c.read(0, 512)).satisfies(e -> assertNbd(e, Kind.CLOSED, "did not respond"));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(TIMEOUT);
            }
        });
    }

    @Test
    void errorChunkFailsOnlyItsRequest() {
        with(Fault.ERROR_CHUNK_ONCE, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 512)).satisfies(e -> {
                    assertNbd(e, Kind.SERVER_ERROR, "disk on fire");
                    NbdException n = (NbdException) e;
                    assertThat(n.errorNumber()).isEqualTo(5);
                    assertThat(n.errorName()).isEqualTo("EIO");
                    assertThat(n.error()).isEqualTo(NbdError.EIO);
                });
                assertThat(c.read(512, 512).array()).isEqualTo(Arrays.copyOfRange(disk(), 512, 1024));
            }
        });
    }

    @Test
    void shortReadIsAProtocolError() {
        with(Fault.SHORT_READ, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 4096)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "only 2048 bytes"));
            }
        });
    }

    @Test
    void chunksOutOfOrderAreReassembled() {
        with(Fault.SPLIT_READ, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                NbdClient.await(c.readAsync(65536, b));
                byte[] got = new byte[65536];
                b.get(got);
                assertThat(got).isEqualTo(Arrays.copyOfRange(disk(), 65536, 131072));
            }
        });
    }

    @Test
    void overlappingChunks() {
        with(Fault.OVERLAPPING_CHUNKS, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 8192)).satisfies(e -> assertNbd(e, Kind.PROTOCOL, "overlapping"));
            }
        });
    }

    @Test
    void serverClosingMidReply() {
        with(Fault.CLOSE_MID_READ, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 65536)).satisfies(e -> assertNbd(e, Kind.CLOSED, "closed"));
            }
        });
    }

    @Test
    void extentMapAsksAgainWhenTheServerDescribesLess() {
        with(Fault.ONE_EXTENT_PER_STATUS, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options().withMetaContexts(MetaContext.BASE_ALLOCATION))) {
                ExtentMap map = ExtentMap.query(c, MetaContext.BASE_ALLOCATION);
                assertThat(map.extents()).hasSize(SIZE / FakeNbdServer.EXTENT);
                assertThat(map.extents().get(1)).isEqualTo(new Extent(65536, 65536, 3));
                assertThat(map.bytesMatching(f -> f == 0)).isEqualTo(SIZE / 2);
            }
            assertThat(server.requests()).filteredOn(r -> r.startsWith("BLOCK_STATUS"))
                    .hasSize(SIZE / FakeNbdServer.EXTENT)
                    .contains("BLOCK_STATUS 65536 " + (SIZE - 65536));
        });
    }

    @Test
    void unselectedContextIsNamed() {
        with(Fault.NONE, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options()
                    .withMetaContexts(MetaContext.BASE_ALLOCATION, MetaContext.dirtyBitmap("b9")))) {
                assertThat(c.metaContexts()).containsExactly(MetaContext.BASE_ALLOCATION);
                assertThatThrownBy(() -> ExtentMap.query(c, MetaContext.dirtyBitmap("b9")))
                        .satisfies(e -> assertNbd(e, Kind.UNSUPPORTED, "'qemu:dirty-bitmap:b9'"));
            }
        });
    }

    @Test
    void simpleErrorReplyFailsOnlyItsRequest() {
        with(Fault.SIMPLE_ERROR_ONCE, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThat(c.structuredReplies()).isFalse();
                assertThatThrownBy(() -> c.read(0, 4096)).satisfies(e -> {
                    assertNbd(e, Kind.SERVER_ERROR, "EIO");
                    assertThat(((NbdException) e).error()).isEqualTo(NbdError.EIO);
                });
                // No payload follows an error: the next reply is read from the right place.
                assertThat(c.read(4096, 4096).array()).isEqualTo(Arrays.copyOfRange(disk(), 4096, 8192));
            }
        });
    }

    @Test
    void errorChunkWithAMessageLongerThanItselfIsAProtocolError() {
        with(Fault.BAD_ERROR_CHUNK, server -> {
            try (NbdClient c = NbdClient.connect(server.address(), options())) {
                assertThatThrownBy(() -> c.read(0, 512)).isInstanceOfSatisfying(NbdException.class,
                        e -> assertNbd(e, Kind.PROTOCOL, "error message of 200 bytes"));
            }
        });
    }

    @Test
    void serverClosingInTheHandshake() {
        with(Fault.CLOSE_IN_HANDSHAKE, server -> assertThatThrownBy(() -> NbdClient.connect(server.address(), options()))
                .satisfies(e -> assertNbd(e, Kind.CLOSED, "closed")));
    }
}
