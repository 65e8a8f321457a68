package io.backpoint.qemu.driver;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import io.backpoint.util.SafeFileName;
import io.backpoint.xml.DomainXml;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** Persistent domain definitions, one file each under ROOT/domains. */
final class DomainDefinitions {
    private final StateLayout layout;

    DomainDefinitions(StateLayout layout) {
        this.layout = layout;
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        Path dir = layout.domainsDir();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                names.add(n.substring(0, n.length() - 4));
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED, "cannot list domains in '" + dir + "': " + IoErrors.reason(e), e);
        }
        names.sort(String::compareTo);
        return names;
    }

    boolean exists(String name) {
        return SafeFileName.valid(name) && Files.isRegularFile(layout.domainFile(name));
    }

    /** The stored definition; NO_DOMAIN when there is none. */
    DomainDef load(String name) {
        if (!exists(name)) {
            throw BackpointException.noDomain(name);
        }
        return readState(layout.domainFile(name));
    }

    /**
     * A definition file Backpoint wrote (the persistent one, or the running one's live.xml):
     * read without the schema, as libvirt loads its own state; a damaged one is named.
     */
    static DomainDef readState(Path file) {
        String xml = XmlInput.readFile(file);
        try {
            return DomainXml.parseState(xml);
        } catch (BackpointException e) {
            throw new BackpointException(e.code(), "domain definition file '" + file + "' is damaged: " + e.detail(), e);
        }
    }

    void save(DomainDef def) {
        try {
            OwnerOnly.createDirectories(layout.domainsDir());
            AtomicFiles.write(layout.domainFile(def.name()), DomainXml.format(def,
                    EnumSet.of(DomainXml.FormatFlag.SECURE, DomainXml.FormatFlag.INACTIVE)));
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot save definition of domain '" + def.name() + "': " + IoErrors.reason(e), e);
        }
    }

    void delete(String name) {
        try {
            AtomicFiles.delete(layout.domainFile(name));
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot remove definition of domain '" + name + "': " + IoErrors.reason(e), e);
        }
    }
}
