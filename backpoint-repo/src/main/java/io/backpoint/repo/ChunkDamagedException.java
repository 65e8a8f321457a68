package io.backpoint.repo;

/** A stored chunk that is missing or whose content does not match its id. */
final class ChunkDamagedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String chunkId;
    private final String problem;

    ChunkDamagedException(String chunkId, String problem) {
        super("chunk " + chunkId + ": " + problem);
        this.chunkId = chunkId;
        this.problem = problem;
    }

    String chunkId() {
        return chunkId;
    }

    String problem() {
        return problem;
    }
}
