package io.backpoint.driver;

/** Domain definition and process lifecycle, for drivers that run real domains. */
public interface DomainLifecycle {
    /** Defines (or updates) a domain from XML; returns its name. */
    String define(String xml);

    /** Removes a shut-off domain's definition; with checkpointsMetadata its checkpoint metadata too. */
    void undefine(String name, boolean checkpointsMetadata);

    void start(String name);

    /** Stops the domain now (QEMU is asked to quit first, so it saves its bitmaps). */
    void destroy(String name);

    /** Asks the guest to shut down. */
    void shutdown(String name);

    /** A monitor command: QMP JSON, or an HMP command line when hmp is true; returns the reply. */
    String monitorCommand(String name, String command, boolean hmp);
}
