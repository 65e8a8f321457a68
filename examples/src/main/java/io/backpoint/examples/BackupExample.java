package io.backpoint.examples;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.CheckpointXmlFlag;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.api.JobInfo;
import io.backpoint.api.JobType;
import io.backpoint.error.BackpointException;
import java.util.EnumSet;

/**
 * A full push backup of a running domain's disk vda with a checkpoint, then an incremental since
 * that checkpoint: what a backup program does with Backpoint's API.
 *
 * <pre>
 * java -cp ... io.backpoint.examples.BackupExample qemu:///embed?root=/tmp/bp vm1 /tmp/backups
 * </pre>
 */
public final class BackupExample {
    private BackupExample() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: BackupExample URI DOMAIN DIRECTORY");
            System.exit(2);
        }
        try (Connection conn = Connection.open(args[0])) {
            Domain dom = conn.domainByName(args[1]);
            backup(dom, args[2] + "/vda.full.qcow2", null, "full");
            backup(dom, args[2] + "/vda.inc1.qcow2", "full", "inc1");
            Checkpoint last = dom.checkpoint("inc1");
            System.out.println(last.xmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN, CheckpointXmlFlag.SIZE)));
        } catch (BackpointException e) {
            // Every failure carries libvirt's error number and a message that says what to do.
            System.err.println("error " + e.code().number() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /** One push backup of vda into {@code target}, incremental when {@code since} is set, creating checkpoint {@code name}. */
    static void backup(Domain dom, String target, String since, String name) throws InterruptedException {
        String backupXml = "<domainbackup mode='push'>" + (since == null ? "" : "<incremental>" + since + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + target + "'/></disk></disks></domainbackup>";
        dom.backupBegin(backupXml, "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", 0);
        JobInfo info = dom.jobInfo(false);
        while (info.type() == JobType.UNBOUNDED) {
            System.out.printf("%s: %d of %d bytes%n", name, info.dataProcessed(), info.dataTotal());
            Thread.sleep(200);
            info = dom.jobInfo(false);
        }
        JobInfo done = dom.jobInfo(true);
        if (done.type() != JobType.COMPLETED) {
            throw new IllegalStateException("backup " + name + " ended " + done.type() + ": " + done.errorMessage());
        }
        System.out.printf("%s: written to %s%n", name, target);
    }
}
