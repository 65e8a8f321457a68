package io.backpoint.xml;

import io.backpoint.xml.LibvirtSchemaDifferentialTest.Case;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written corner cases for the schema differential test: each value class of every
 * attribute and text field of checkpoint and backup XML, on its own in an otherwise plain
 * document, so a disagreement points at one field. No verdicts here: libvirt's schema gives them.
 */
final class EdgeCases {
    private EdgeCases() {}

    /** Names: every character class the name pattern allows or forbids, in first and later position. */
    private static final List<String> NAMES = List.of(
            "a", "Z", "0", "_", "-", "_x", "-x", "x.y", "x..", "x-_.9", "1525889631", ".", ".x", "..", "x/y", "/x",
            "x y", " x", "x ", "x&#9;y", "x&#10;", "x:y", "x*", "x\\y", "x@y", "x+y", "x~", "x%y", "ü", "xü",
            "x&amp;y", "x'y", "");

    private static final List<String> UNSIGNED = List.of(
            "0", "1", "01", "+1", "-1", "-0", " 1", "1 ", "1.0", "1e3", "abc", "", "18446744073709551615",
            "18446744073709551616", "4294967296");

    private static final List<String> DISK_NAMES = List.of(
            "vda", "sda", "hdc", "xvdaa", "fd0", "ubda", "vd_1", "ioemu:vda", "vd", "nvme0n1", "VDA", "vda!", "vda ",
            "/abs/disk.qcow2", "/", "//", "/a b", "C:\\disk", "c:\\", "relative.qcow2", "");

    private static final List<String> PATHS = List.of(
            "/b.qcow2", "/", "//x", "/a b", "C:\\b", "relative", "", "/x&#10;y", "./b");

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        checkpoints(cases);
        backups(cases);
        return cases;
    }

    private static void checkpoint(List<Case> out, String label, String body) {
        out.add(new Case(Schemas.Kind.CHECKPOINT, "edge " + label, "<domaincheckpoint>" + body + "</domaincheckpoint>\n"));
    }

    private static void backup(List<Case> out, String label, String attrs, String body) {
        out.add(new Case(Schemas.Kind.BACKUP, "edge " + label,
                "<domainbackup" + attrs + ">" + body + "</domainbackup>\n"));
    }

    private static void checkpoints(List<Case> out) {
        checkpoint(out, "empty root", "");
        out.add(new Case(Schemas.Kind.CHECKPOINT, "edge self-closed root", "<domaincheckpoint/>\n"));
        for (String n : NAMES) {
            checkpoint(out, "name " + n, "<name>" + n + "</name>");
            checkpoint(out, "parent name " + n, "<parent><name>" + n + "</name></parent>");
        }
        for (String v : UNSIGNED) {
            checkpoint(out, "creationTime " + v, "<creationTime>" + v + "</creationTime>");
            checkpoint(out, "size " + v, "<disks><disk name='vda' size='" + v + "'/></disks>");
        }
        for (String d : DISK_NAMES) {
            checkpoint(out, "disk name " + d, "<disks><disk name='" + d + "'/></disks>");
        }
        for (String body : List.of(
                "<name/>", "<description/>", "<description>  </description>", "<description>x&lt;y</description>",
                "<creationTime/>", "<parent/>", "<parent><name/></parent>", "<disks/>", "<disks></disks>",
                "<disks>\n  </disks>", "<disks>text<disk name='vda'/></disks>", "<disks><disk/></disks>",
                "<disks><disk name='vda'>x</disk></disks>", "<disks><disk name='vda'><bitmap/></disk></disks>",
                "<disks><disk name='vda'/><disk name='vda'/></disks>",
                "<disks><disk name='vda' checkpoint='bitmap'/></disks>",
                "<disks><disk name='vda' checkpoint='no'/></disks>",
                "<disks><disk name='vda' checkpoint='yes'/></disks>",
                "<disks><disk name='vda' checkpoint=''/></disks>",
                "<disks><disk name='vda' checkpoint='no' bitmap='b'/></disks>",
                "<disks><disk name='vda' checkpoint='no' size='1'/></disks>",
                "<disks><disk name='vda' checkpoint='bitmap' bitmap='b' size='1'/></disks>",
                "<disks><disk name='vda' bitmap=''/></disks>", "<disks><disk name='vda' bitmap='a b/c'/></disks>",
                "<disks><disk name='vda' bogus='1'/></disks>", "<name>a</name><name>b</name>",
                "<description>a</description><description>b</description>", "<bogus/>",
                "<name>c</name>text", "<creationTime>1</creationTime><parent><name>p</name><name>q</name></parent>",
                "<parent><name>p</name><bogus/></parent>", "<domain/>", "<domain type='kvm'/>",
                "<domain type='kvm'><name>d</name></domain>")) {
            checkpoint(out, body, body);
        }
    }

    private static final String PULL_TCP = "<server name='localhost'/>";

    private static void backups(List<Case> out) {
        backup(out, "empty", "", "");
        out.add(new Case(Schemas.Kind.BACKUP, "edge self-closed root", "<domainbackup/>\n"));
        for (String mode : List.of("", " mode='push'", " mode='pull'", " mode=''", " mode='Push'", " mode='both'")) {
            backup(out, "mode" + mode, mode, "");
            backup(out, "mode" + mode + " with server", mode, PULL_TCP);
        }
        for (String inc : List.of("<incremental>c1</incremental>", "<incremental/>", "<incremental>../x</incremental>",
                "<incremental>c1</incremental><incremental>c2</incremental>", "<incremental><name>c</name></incremental>")) {
            backup(out, inc, "", inc);
            backup(out, "pull " + inc, " mode='pull'", PULL_TCP + inc);
        }
        // every transport, with each of its attributes present, missing or odd
        for (String server : List.of(
                "<server/>", "<server name='localhost'/>", "<server transport='tcp' name='h'/>",
                "<server transport='tcp'/>", "<server name='h' port='0'/>", "<server name='h' port='10809'/>",
                "<server name='h' port='65535'/>", "<server name='h' port='65536'/>",
                "<server name='h' port='4294967295'/>", "<server name='h' port='4294967296'/>",
                "<server name='h' port='-1'/>", "<server name='h' port='+1'/>", "<server name='h' port=''/>",
                "<server name='h' port='x'/>", "<server name='127.0.0.1'/>", "<server name='256.1.1.1'/>",
                "<server name='::1'/>", "<server name='fe80::1'/>", "<server name='[::1]'/>", "<server name='a:b'/>",
                "<server name='host_name'/>", "<server name='host.example.com'/>", "<server name='-h'/>",
                "<server name=''/>", "<server name='h' tls='yes'/>", "<server name='h' tls='no'/>",
                "<server name='h' tls='on'/>", "<server name='h' tls=''/>",
                "<server transport='unix' socket='/run/s'/>", "<server transport='unix'/>",
                "<server transport='unix' socket='s'/>", "<server transport='unix' socket='/'/>",
                "<server transport='unix' socket='C:\\s'/>", "<server transport='unix' socket='/s' name='h'/>",
                "<server transport='unix' socket='/s' port='1'/>", "<server transport='unix' socket='/s' tls='yes'/>",
                "<server socket='/s'/>", "<server transport='fd' fdgroup='g'/>", "<server transport='fd'/>",
                "<server transport='fd' fdgroup=''/>", "<server transport='rdma' name='h'/>",
                "<server transport='' name='h'/>", "<server name='h'>text</server>",
                "<server name='h'><bogus/></server>", "<server name='h'/><server name='i'/>")) {
            backup(out, "pull " + server, " mode='pull'", server);
            backup(out, "push " + server, " mode='push'", server);
        }
        String[] modes = {"", " backupmode='full'", " backupmode='incremental'", " backupmode=''",
            " backupmode='differential'"};
        String[] increments = {"", " incremental='c1'", " incremental=''"};
        String[] backups = {"", " backup='yes'", " backup='no'", " backup='maybe'"};
        String[] types = {"", " type='file'", " type='block'", " type='network'"};
        for (String m : modes) {
            for (String inc : increments) {
                for (String b : backups) {
                    for (String t : types) {
                        String attrs = m + inc + b + t;
                        backup(out, "push disk" + attrs, "", "<disks><disk name='vda'" + attrs + "/></disks>");
                        backup(out, "pull disk" + attrs, " mode='pull'",
                                PULL_TCP + "<disks><disk name='vda'" + attrs + "/></disks>");
                    }
                }
            }
        }
        for (String d : DISK_NAMES) {
            backup(out, "push disk name " + d, "", "<disks><disk name='" + d + "' type='file'/></disks>");
            backup(out, "pull disk name " + d, " mode='pull'", PULL_TCP + "<disks><disk name='" + d + "'/></disks>");
        }
        for (String p : PATHS) {
            backup(out, "push target file " + p, "",
                    "<disks><disk name='vda' type='file'><target file='" + p + "'/></disk></disks>");
            backup(out, "push target dev " + p, "",
                    "<disks><disk name='vda' type='block'><target dev='" + p + "'/></disk></disks>");
            backup(out, "pull scratch file " + p, " mode='pull'",
                    PULL_TCP + "<disks><disk name='vda' type='file'><scratch file='" + p + "'/></disk></disks>");
            backup(out, "pull scratch dev " + p, " mode='pull'",
                    PULL_TCP + "<disks><disk name='vda' type='block'><scratch dev='" + p + "'/></disk></disks>");
        }
        for (String body : List.of(
                "<target file='/b'/>", "<target dev='/b'/>", "<target/>", "<target file='/b' dev='/c'/>",
                "<target file='/b'/><target file='/c'/>", "<driver type='qcow2'/>", "<driver type='raw'/>",
                "<driver type='luks'/>", "<driver type='qed'/>", "<driver type='cow'/>", "<driver type='vhdx'/>",
                "<driver type=''/>", "<driver/>", "<driver type='qcow2'/><driver type='raw'/>",
                "<target file='/b'/><driver type='qcow2'/>", "<driver type='qcow2'/><target file='/b'/>",
                "<scratch file='/b'/>", "<target file='/b'>text</target>", "<bogus/>")) {
            for (String t : List.of(" type='file'", " type='block'", "")) {
                backup(out, "push disk" + t + " " + body, "", "<disks><disk name='vda'" + t + ">" + body + "</disk></disks>");
                String pullBody = body.replace("target", "scratch");
                backup(out, "pull disk" + t + " " + pullBody, " mode='pull'",
                        PULL_TCP + "<disks><disk name='vda'" + t + ">" + pullBody + "</disk></disks>");
            }
        }
        for (String attrs : List.of(" exportname='e'", " exportbitmap='b'", " exportname='' exportbitmap=''",
                " exportname='e' backup='no'", " exportname='e' type='file'")) {
            backup(out, "pull disk" + attrs, " mode='pull'", PULL_TCP + "<disks><disk name='vda'" + attrs + "/></disks>");
            backup(out, "push disk" + attrs, "", "<disks><disk name='vda' type='file'" + attrs + "/></disks>");
        }
        for (String store : storeChildren()) {
            backup(out, "push target " + store, "",
                    "<disks><disk name='vda' type='file'><target file='/b'>" + store + "</target></disk></disks>");
            backup(out, "pull scratch " + store, " mode='pull'",
                    PULL_TCP + "<disks><disk name='vda' type='file'><scratch file='/b'>" + store + "</scratch></disk></disks>");
        }
        backup(out, "disks empty", "", "<disks/>");
        backup(out, "disks text only", "", "<disks>x</disks>");
        backup(out, "disks text", "", "<disks>x<disk name='vda' type='file'/></disks>");
        backup(out, "two disks", "", "<disks><disk name='vda' type='file'/><disk name='vdb' backup='no'/></disks>");
        backup(out, "disks twice", "", "<disks><disk name='vda' type='file'/></disks><disks><disk name='vdb' type='file'/></disks>");
        backup(out, "disk without name", "", "<disks><disk type='file'/></disks>");
        backup(out, "index", "", "<disks><disk name='vda' type='file' index='1'/></disks>");
        backup(out, "state", "", "<disks><disk name='vda' type='file' state='running'/></disks>");
        backup(out, "privateData", "", "<privateData/>");
        backup(out, "pull index", " mode='pull'", PULL_TCP + "<disks><disk name='vda' index='1'/></disks>");
    }

    /** Security label and encryption variants for a target or scratch element. */
    private static List<String> storeChildren() {
        List<String> s = new ArrayList<>();
        for (String seclabel : List.of(
                "<seclabel/>", "<seclabel model='selinux'/>", "<seclabel relabel='no'/>", "<seclabel relabel='yes'/>",
                "<seclabel relabel='maybe'/>", "<seclabel labelskip='yes'/>", "<seclabel labelskip='no'/>",
                "<seclabel model='dac' relabel='no'/>", "<seclabel><label>l</label></seclabel>",
                "<seclabel relabel='yes'><label>l</label></seclabel>", "<seclabel relabel='no'><label>l</label></seclabel>",
                "<seclabel labelskip='yes'><label>l</label></seclabel>", "<seclabel relabel='no' labelskip='yes'/>",
                "<seclabel><label>a</label><label>b</label></seclabel>", "<seclabel><label/></seclabel>",
                "<seclabel><imagelabel>l</imagelabel></seclabel>", "<seclabel model='selinux' relabel='no'/><seclabel model='dac' relabel='no'/>",
                "<seclabel model='dac' relabel='no'/><seclabel model='dac' relabel='no'/>")) {
            s.add(seclabel);
        }
        String secretUuid = "<secret type='passphrase' uuid='0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'/>";
        for (String secret : List.of(secretUuid,
                "<secret type='passphrase' uuid='0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d'/>",
                "<secret type='passphrase' uuid='0a1b2c3d-4e5f6a7b-8c9d-0e1f2a3b4c5d'/>",
                "<secret type='passphrase' uuid='0a1b2c3d'/>", "<secret type='passphrase' usage='u'/>",
                "<secret type='passphrase' usage=''/>", "<secret type='passphrase'/>",
                "<secret type='passphrase' uuid='0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d' usage='u'/>",
                "<secret type='ceph' usage='u'/>", "<secret usage='u'/>")) {
            s.add("<encryption format='luks'>" + secret + "</encryption>");
        }
        for (String enc : List.of("format='luks' engine='qemu'", "format='luks' engine='librbd'", "format='qcow'",
                "format='luks2'", "engine='qemu'", "format=''")) {
            s.add("<encryption " + enc + ">" + secretUuid + "</encryption>");
        }
        for (String extra : List.of(
                "<cipher name='aes' size='256' mode='cbc' hash='sha256'/><ivgen name='plain64' hash='sha256'/>",
                "<cipher name='aes' size='256'/><ivgen name='plain64'/>",
                "<cipher name='aes' size='256' mode='cbc'/><ivgen name='plain64'/>",
                "<cipher name='aes' size='256' hash='sha256'/><ivgen name='plain64'/>",
                "<cipher name='aes' size='-1'/><ivgen name='plain64'/>",
                "<cipher name='aes' size='+1'/><ivgen name='plain64'/>",
                "<cipher name='aes'/><ivgen name='plain64'/>", "<cipher size='1'/><ivgen name='plain64'/>",
                "<cipher name='aes' size='256'/>", "<ivgen name='plain64'/>", "<ivgen name='plain64'/><cipher name='aes' size='256'/>",
                "<ivgen hash='sha256'/><cipher name='aes' size='256'/>")) {
            s.add("<encryption format='luks'>" + secretUuid + extra + "</encryption>");
            s.add("<encryption format='luks'>" + extra + secretUuid + "</encryption>");
        }
        s.add("<encryption format='luks'/>");
        s.add("<encryption format='luks'>" + secretUuid + "</encryption><encryption format='luks'>" + secretUuid + "</encryption>");
        s.add("<seclabel relabel='no'/><encryption format='luks'>" + secretUuid + "</encryption><seclabel labelskip='yes'/>");
        return s;
    }
}
