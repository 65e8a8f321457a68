package io.backpoint.repo;

import java.io.IOException;
import java.time.ZoneId;
import java.util.List;

/** Applies a {@link PrunePolicy} to one domain's snapshots: deletes manifests, never chunks (gc does). */
public final class Prune {
    private final Repository repository;

    public Prune(Repository repository) {
        this.repository = repository;
    }

    /** Decides and, unless {@code dryRun}, deletes the manifests of the snapshots not kept. */
    public List<PrunePolicy.Decision> run(String domain, PrunePolicy policy, boolean dryRun, ZoneId zone) {
        Layout.checkDomain(domain);
        List<PrunePolicy.Decision> decisions = policy.apply(repository.snapshots(domain), zone);
        if (!dryRun) {
            for (PrunePolicy.Decision decision : decisions) {
                if (!decision.keep()) {
                    try {
                        repository.store().delete(Layout.manifest(domain, decision.id()));
                    } catch (IOException e) {
                        throw repository.storeError("cannot delete snapshot " + decision.id(), e);
                    }
                }
            }
        }
        return decisions;
    }
}
