package io.backpoint.model;

import java.util.List;

/**
 * Where a disk's backup goes: the push {@code <target>} or the pull {@code <scratch>}. Whether the
 * path is a file or a device is the disk's {@link StoreType}. Security labels and encryption are
 * kept as the elements that were read, so they are written back exactly as given.
 *
 * @param path the file or device path, or null when none was given (alignment may generate one)
 * @param seclabels {@code <seclabel>} elements in document order
 * @param encryption the {@code <encryption>} element, or null
 * @param privateData the store's {@code <privateData>} (node names; job records only), or null
 */
public record BackupStore(String path, List<XmlNode> seclabels, XmlNode encryption, XmlNode privateData) {
    public BackupStore {
        seclabels = seclabels == null ? List.of() : List.copyOf(seclabels);
    }

    public static BackupStore of(String path) {
        return new BackupStore(path, List.of(), null, null);
    }

    public BackupStore withPath(String newPath) {
        return new BackupStore(newPath, seclabels, encryption, privateData);
    }

    public BackupStore withPrivateData(XmlNode newPrivateData) {
        return new BackupStore(path, seclabels, encryption, newPrivateData);
    }
}
