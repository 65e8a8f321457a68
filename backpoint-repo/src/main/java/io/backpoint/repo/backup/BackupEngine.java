package io.backpoint.repo.backup;

import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.nbd.ExtentMap;
import io.backpoint.nbd.MetaContext;
import io.backpoint.nbd.NbdClient;
import io.backpoint.nbd.NbdConnectOptions;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotWriter;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One repository backup of a running domain through the Java API only (so it works on every
 * driver): a pull backup with a new checkpoint, each disk read over NBD (only the chunks the
 * dirty bitmap marks when incremental, never what reads as zero), a snapshot committed, then the
 * repository's older checkpoints deleted and the job ended.
 *
 * <p>Order is what makes a kill at any moment safe: the snapshot is published last (by the
 * repository), older checkpoints go only after it is, and a checkpoint whose snapshot never
 * committed is never used as a base (only the last committed snapshot names one) and is deleted by
 * the next backup. A job a killed backup left running is ended by the next one.
 */
public final class BackupEngine {
    /** Chunk buffers of all disks together: the bound on the backup's memory. */
    static final long BUFFER_BUDGET = 64L << 20;
    /**
     * The larger bound for storage that wants many requests in flight (object storage): each
     * upload holds a buffer for its whole request, so the uploads in flight need one each, plus a
     * few for the reads that keep them fed.
     */
    static final long REMOTE_BUFFER_BUDGET = 128L << 20;

    private final Connection conn;
    private final Repository repo;
    private final Clock clock;
    private final Path tmp;

    public BackupEngine(Connection conn, Repository repo, Clock clock, Path tmp) {
        this.conn = conn;
        this.repo = repo;
        this.clock = clock;
        this.tmp = tmp;
    }

    /** The directory for work directories: $TMPDIR, else java.io.tmpdir. */
    public static Path defaultTmp() {
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
    }

    public Snapshot backup(BackupOptions options, BackupListener listener) {
        Domain dom = conn.domainByName(options.domain());
        if (!dom.state().active()) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "domain '%s' is not running: a backup reads its disks from the running domain; start it first",
                    dom.name());
        }
        String domainXml = dom.xmlDesc(false, false);
        DomainDef def = DomainXml.parse(domainXml);
        List<String> disks = DiskSelection.select(def, options.disks());
        JobControl.clearAbandoned(dom, tmp, listener::note);
        CheckpointNaming naming = new CheckpointNaming(repo.config().checkpointPrefix());
        // Millisecond names: truncate so the name and the snapshot time agree.
        Instant start = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String checkpoint = naming.name(start);
        try (SnapshotWriter snap = repo.newSnapshot(dom.name(), domainXml, start);
                WorkDir work = WorkDir.create(tmp, dom.uuid())) {
            // Read after the writer is open: its lease keeps gc off the base's chunks.
            // latest reads the manifests of the newest second only, not every snapshot's.
            Optional<Snapshot> last = repo.latest(dom.name());
            List<DiskChoice> choices = new ModeDecider(dom, listener::note).decide(disks, last, options.full());
            Steps.reach(Steps.BEFORE_BEGIN);
            try {
                dom.backupBegin(PullXml.backup(work.socket(), work.dir(), choices),
                        PullXml.checkpoint(checkpoint, "backpoint repository " + repo.config().id(), disks),
                        options.quiesce() ? EnumSet.of(BackupBeginFlag.QUIESCE) : Set.of());
            } catch (BackpointException e) {
                // No job of ours to end (and a job that is there is someone else's); a checkpoint
                // may survive a failed begin (libvirt does that), and it is ours by its name.
                CheckpointCleanup.discard(dom, checkpoint);
                throw e;
            }
            boolean committed = false;
            try {
                Steps.reach(Steps.BEGUN);
                String checkpointXml = dom.checkpoint(checkpoint).xmlDesc(EnumSet.noneOf(CheckpointXmlFlag.class));
                read(work.socket(), choices, snap, listener);
                if (System.getenv("BACKPOINT_TIMINGS") != null) {
                    listener.note(snap.timings().toString());
                }
                JobControl.requireRunning(dom);
                snap.checkpoint(checkpoint, checkpointXml);
                Steps.reach(Steps.BEFORE_COMMIT);
                Snapshot done = snap.commit();
                committed = true;
                Steps.reach(Steps.COMMITTED);
                CheckpointCleanup.deleteOlder(dom, naming, checkpoint, listener::note);
                Steps.reach(Steps.CLEANED);
                return done;
            } finally {
                try {
                    JobControl.end(dom);
                    Steps.reach(Steps.ENDED);
                } finally {
                    if (!committed) {
                        CheckpointCleanup.discard(dom, checkpoint);
                    }
                }
            }
        }
    }

    /** Plans every disk (connect, extent maps, full or incremental), then reads them all in parallel. */
    private void read(Path socket, List<DiskChoice> choices, SnapshotWriter snap, BackupListener listener) {
        int chunkSize = repo.config().chunkSize();
        List<NbdClient> clients = new ArrayList<>();
        List<Runnable> jobs = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        // Hashing and compression want a thread per core; a store bound by request latency (S3)
        // wants its uploads in flight, as many as the buffers allow.
        long budget = repo.parallelism() > cores
                ? Math.min(REMOTE_BUFFER_BUDGET, (long) (repo.parallelism() + 4) * chunkSize) : BUFFER_BUDGET;
        int buffers = (int) Math.max(4, Math.min(32, budget / chunkSize));
        // A storer waits on each chunk's fsync: twice the cores keep the cores hashing meanwhile.
        int storers = Math.max(2 * cores, Math.min(repo.parallelism(), buffers - 4));
        BufferPool pool = new BufferPool(buffers, chunkSize);
        ByteBuffer zero = ByteBuffer.allocate(chunkSize).asReadOnlyBuffer();
        ExecutorService workers = Executors.newFixedThreadPool(storers, daemon("backup-store"));
        ExecutorService readers = Executors.newFixedThreadPool(choices.size(), daemon("backup-read"));
        try {
            long total = 0;
            for (DiskChoice c : choices) {
                String bitmapContext = MetaContext.dirtyBitmap("backup-" + c.disk());
                NbdClient client = connect(socket, c, bitmapContext);
                clients.add(client);
                long size = client.size();
                DiskChoice choice = c;
                if (c.incremental() && c.base().get().size() != size) {
                    choice = DiskChoice.full(c.disk(), "disk resized from " + c.base().get().size() + " to " + size
                            + " bytes since the previous snapshot");
                }
                ExtentMap allocation = ExtentMap.query(client, MetaContext.BASE_ALLOCATION);
                ExtentMap dirty = choice.incremental() ? ExtentMap.query(client, bitmapContext) : null;
                int align = Math.max(1, client.export().minimumBlockSize());
                Optional<DiskIndex> base = choice.base();
                boolean fill = choice.incremental() && BaseFill.pays(repo);
                List<ChunkWork> work = ChunkPlan.plan(allocation, dirty, chunkSize, align,
                        fill ? i -> base.get().chunk(i).isPresent() : null);
                long bytes = work.stream().mapToLong(ChunkWork::dataBytes).sum();
                total += bytes;
                if (!choice.incremental()) {
                    listener.note(choice.disk() + ": full (" + choice.reason() + ")");
                } else {
                    listener.note(choice.disk() + ": incremental from checkpoint '" + choice.checkpoint() + "'"
                            + (fill ? " (clean parts of dirty chunks from the previous snapshot)"
                                    : " (dirty chunks read whole from the VM)"));
                }
                DiskWriter writer = snap.disk(choice.disk(), size,
                        choice.incremental() ? DiskMode.INCREMENTAL : DiskMode.FULL, choice.reason(), choice.base());
                ChunkReader reader = new ChunkReader(client, writer, pool, workers, storers, n -> {
                    listener.read(n);
                    Steps.reach(Steps.CHUNK);
                }, listener::note, snap.timings(), zero);
                jobs.add(() -> {
                    try {
                        reader.run(work);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            listener.start(total);
            List<Future<?>> running = new ArrayList<>();
            for (Runnable j : jobs) {
                running.add(readers.submit(j));
            }
            for (int i = 0; i < running.size(); i++) {
                await(running.get(i), choices.get(i).disk());
            }
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot read the disks over NBD: %s", e.getMessage());
        } finally {
            readers.shutdownNow();
            for (NbdClient c : clients) {
                c.close();
            }
            workers.shutdown();
        }
    }

    private static NbdClient connect(Path socket, DiskChoice c, String bitmapContext) throws IOException {
        List<String> contexts = c.incremental() ? List.of(MetaContext.BASE_ALLOCATION, bitmapContext)
                : List.of(MetaContext.BASE_ALLOCATION);
        NbdClient client = NbdClient.connectUnix(socket,
                new NbdConnectOptions(c.disk(), contexts, NbdConnectOptions.DEFAULT_TIMEOUT));
        for (String ctx : contexts) {
            if (!client.hasMetaContext(ctx)) {
                client.close();
                throw new IOException("the NBD server of disk '" + c.disk() + "' does not offer '" + ctx + "'");
            }
        }
        return client;
    }

    private static void await(Future<?> f, String disk) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "interrupted while reading disk '%s'", disk);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.io.UncheckedIOException u) {
                cause = u.getCause();
            }
            if (cause instanceof BackpointException be) {
                throw be;
            }
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "backing up disk '" + disk + "' failed: " + cause.getMessage(), cause);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
