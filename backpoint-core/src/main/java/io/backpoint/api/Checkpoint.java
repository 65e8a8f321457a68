package io.backpoint.api;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A checkpoint of a {@link Domain}, as libvirt's {@code virDomainCheckpoint}: a handle by name. */
public final class Checkpoint {
    private final Domain domain;
    private final String name;

    Checkpoint(Domain domain, String name) {
        this.domain = domain;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Domain domain() {
        return domain;
    }

    /** virDomainCheckpointGetXMLDesc. */
    public String xmlDesc(Set<CheckpointXmlFlag> flags) {
        return domain.connection().hypervisor().checkpointXml(domain.name(), name, flags);
    }

    public String xmlDesc(int flags) {
        return xmlDesc(CheckpointXmlFlag.fromMask(flags));
    }

    /** The parsed definition as stored. */
    public CheckpointDef definition() {
        return domain.connection().hypervisor().checkpointDefinition(domain.name(), name);
    }

    /**
     * Why this checkpoint cannot be used for a backup (its bitmap is missing or inconsistent,
     * e.g. after QEMU was killed), with the way out; empty when it is usable. Every broken disk's
     * reason, joined: {@link #problems()} has them one by one.
     */
    public Optional<String> problem() {
        Map<String, String> problems = problems();
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems.values()));
    }

    /**
     * Each disk whose bitmap of this checkpoint is missing or inconsistent, by disk target in the
     * checkpoint's order, with a reason naming that disk's bitmap; empty when every bitmap is
     * usable. A backup can still be incremental from this checkpoint on the other disks.
     */
    public Map<String, String> problems() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(
                domain.connection().hypervisor().checkpointProblems(domain.name(), name)));
    }

    /** virDomainCheckpointGetParent: NO_DOMAIN_CHECKPOINT for a root. */
    public Checkpoint parent() {
        return new Checkpoint(domain, domain.connection().hypervisor().checkpointParent(domain.name(), name));
    }

    /** virDomainCheckpointListAllChildren. */
    public List<Checkpoint> children(Set<CheckpointListFlag> flags) {
        if (flags.contains(CheckpointListFlag.ROOTS)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "ROOTS applies to a domain's list; use DESCENDANTS here");
        }
        return domain.wrap(domain.connection().hypervisor().checkpointList(domain.name(), name, flags));
    }

    public List<Checkpoint> children(int flags) {
        return children(CheckpointListFlag.forChildren(flags));
    }

    /** virDomainCheckpointDelete. */
    public void delete(Set<CheckpointDeleteFlag> flags) {
        domain.connection().hypervisor().checkpointDelete(domain.name(), name, flags);
    }

    public void delete(int flags) {
        delete(CheckpointDeleteFlag.fromMask(flags));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.name.equals(name) && c.domain.name().equals(domain.name());
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + domain.name().hashCode();
    }

    @Override
    public String toString() {
        return "Checkpoint[" + domain.name() + "/" + name + "]";
    }
}
