package io.backpoint.qemu.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.model.XmlNode;
import io.backpoint.xml.XmlInput;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QemuCommandLineTest {
    private static final Path STATE = Path.of("/var/lib/bp/run");

    static DomainDef domain(String xml) {
        XmlNode el = XmlInput.parse(xml);
        XmlNode name = el.child("name");
        return new DomainDef(el.attribute("type"), name == null ? null : name.text(), null, List.of(), el);
    }

    static String vm(String type, String devices) {
        return "<domain type='" + type + "'><name>vm1</name><uuid>3d1c3b0f-2f5d-4c7e-9f1e-5a7b9c0d1e2f</uuid>"
                + "<memory unit='MiB'>128</memory><currentMemory unit='KiB'>131072</currentMemory><vcpu placement='static'>2</vcpu>"
                + "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>"
                + "<features><acpi/><apic/></features><clock offset='utc'/>"
                + "<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>"
                + "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>" + devices + "</devices></domain>";
    }

    static final String TWO_QCOW2_ONE_RAW =
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/a.qcow2'/>"
            + "<target dev='vda' bus='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>"
            + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/b.qcow2'/>"
            + "<target dev='vdb' bus='virtio'/></disk>"
            + "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg/c'/>"
            + "<target dev='vdd' bus='virtio'/><readonly/></disk>"
            + "<controller type='pci' index='0' model='pci-root'/><input type='mouse' bus='ps2'/>"
            + "<memballoon model='none'/>";

    @Test
    void fullCommandLine() {
        List<String> argv = QemuCommandLine.build(domain(vm("kvm", TWO_QCOW2_ONE_RAW)), STATE, true);
        assertThat(argv).containsExactly(
                "/usr/bin/qemu-system-x86_64",
                "-name", "guest=vm1,debug-threads=on",
                "-uuid", "3d1c3b0f-2f5d-4c7e-9f1e-5a7b9c0d1e2f",
                "-machine", "pc-i440fx-7.2",
                "-accel", "kvm",
                "-m", "size=131072k",
                "-smp", "2",
                "-nodefaults", "-no-user-config", "-display", "none",
                "-rtc", "base=utc",
                "-blockdev", "{\"driver\":\"file\",\"filename\":\"/img/a.qcow2\",\"node-name\":\"bp-vda-storage\",\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "-blockdev", "{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
                "-device", "virtio-blk-pci,drive=bp-vda-format,id=virtio-disk0",
                "-blockdev", "{\"driver\":\"file\",\"filename\":\"/img/b.qcow2\",\"node-name\":\"bp-vdb-storage\",\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "-blockdev", "{\"node-name\":\"bp-vdb-format\",\"read-only\":false,\"driver\":\"qcow2\",\"file\":\"bp-vdb-storage\"}",
                "-device", "virtio-blk-pci,drive=bp-vdb-format,id=virtio-disk1",
                "-blockdev", "{\"driver\":\"host_device\",\"filename\":\"/dev/vg/c\",\"node-name\":\"bp-vdd-storage\",\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "-blockdev", "{\"node-name\":\"bp-vdd-format\",\"read-only\":true,\"driver\":\"raw\",\"file\":\"bp-vdd-storage\"}",
                "-device", "virtio-blk-pci,drive=bp-vdd-format,id=virtio-disk3",
                "-daemonize",
                "-pidfile", "/var/lib/bp/run/vm1.pid",
                "-qmp", "unix:/var/lib/bp/run/vm1.qmp,server=on,wait=off");
    }

    @Test
    void qemuTypeUsesTcgEvenWithKvm() {
        List<String> argv = QemuCommandLine.build(domain(vm("qemu", "")), STATE, true);
        assertThat(argv.get(argv.indexOf("-accel") + 1)).isEqualTo("tcg");
    }

    @Test
    void kvmWithoutUsableDevIsRefused() {
        assertThatThrownBy(() -> QemuCommandLine.build(domain(vm("kvm", "")), STATE, false))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
                    assertThat(e.getMessage()).startsWith("unsupported configuration: domain requires KVM")
                            .contains("/dev/kvm");
                });
    }

    @Test
    void defaultsWhenOptionalPartsAreMissing() {
        String xml = "<domain type='qemu'><name>min</name><memory>65536</memory></domain>";
        List<String> argv = QemuCommandLine.build(domain(xml), STATE, false);
        assertThat(argv).startsWith("qemu-system-x86_64", "-name", "guest=min,debug-threads=on", "-machine", "pc",
                "-accel", "tcg", "-m", "size=65536k", "-smp", "1");
        assertThat(argv).doesNotContain("-uuid", "-no-reboot");
    }

    @Test
    void balloonAndNoRebootAreHonoured() {
        String xml = vm("qemu", "<memballoon model='virtio'/>").replace("<on_reboot>restart", "<on_reboot>destroy");
        List<String> argv = QemuCommandLine.build(domain(xml), STATE, false);
        assertThat(argv).contains("-no-reboot");
        assertThat(argv).containsSequence("-device", "virtio-balloon-pci,id=balloon0");
    }

    @Test
    void commasInPathsAndNamesAreEscaped() {
        String xml = "<domain type='qemu'><name>a,b</name><memory unit='GiB'>1</memory><devices>"
                + "<disk type='file'><driver type='raw'/><source file='/img/x,y.raw'/><target dev='vda'/></disk>"
                + "</devices></domain>";
        List<String> argv = QemuCommandLine.build(domain(xml), Path.of("/s,t"), false);
        assertThat(argv).contains("guest=a,,b,debug-threads=on", "unix:/s,,t/a,,b.qmp,server=on,wait=off",
                "size=1048576k", "/s,t/a,b.pid");
        // JSON needs no escaping of commas.
        assertThat(argv.get(argv.indexOf("-blockdev") + 1)).contains("\"filename\":\"/img/x,y.raw\"");
    }

    @ParameterizedTest
    @CsvSource({"vda, 0", "vdb, 1", "vdz, 25", "vdaa, 26", "vdab, 27", "vdba, 52", "vd, -1", "sda, -1", "vdA, -1",
        "vda1, -1"})
    void diskIndexFollowsLibvirt(String target, int index) {
        assertThat(DiskIndex.ofVirtioTarget(target)).isEqualTo(index);
    }

    @Test
    void deviceIdUsesTheTargetIndexNotTheDiskPosition() {
        String disk = "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/z.qcow2'/>"
                + "<target dev='vdaa' bus='virtio'/></disk>";
        assertThat(QemuCommandLine.build(domain(vm("qemu", disk)), STATE, false))
                .contains("virtio-blk-pci,drive=bp-vdaa-format,id=virtio-disk26");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<interface type='network'><source network='default'/></interface>|element <domain/devices/interface/source>",
        "<graphics type='vnc'/>|element <domain/devices/graphics>",
        "<hostdev mode='subsystem' type='pci'/>|element <domain/devices/hostdev>",
        "<serial type='tcp'><source mode='bind' host='0.0.0.0' service='4555'/></serial>|attribute 'mode' of <domain/devices/serial/source>",
        "<serial type='udp'/>|<serial> of type 'udp' (only file and pty)",
        "<serial type='pty'><target type='pci-serial' port='0'/></serial>|serial target type 'pci-serial'",
        "<serial type='pty'><target port='1'/></serial>|serial port '1' out of order",
        "<console type='pty'><target type='virtio' port='0'/></console>|console target type 'virtio'",
        "<serial type='file'><source path='/l/a'/></serial><console type='file'><source path='/l/b'/></console>|a <console> different from the first <serial>",
        "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>|more than one <channel>",
        "<channel type='unix'><target type='virtio' name='org.example.other'/></channel>|channel other than <target type='virtio' name='org.qemu.guest_agent.0'/>",
        "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>|channel of type 'spicevmc'",
        "<channel type='unix'><source mode='connect' path='/s'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>|channel source mode 'connect'",
        "<interface type='bridge'><model type='virtio'/></interface>|interface of type 'bridge'",
        "<interface type='user'><model type='e1000'/></interface>|interface model 'e1000'",
        "<interface type='user'/>|interface model 'null'",
        "<interface type='user'><model type='virtio'/><driver name='vhost'/></interface>|element <domain/devices/interface/driver>",
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i.qcow2'/><target dev='sda' bus='sata'/></disk>|disk 'sda' on bus 'sata'",
        "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/i.iso'/><target dev='vdc' bus='virtio'/></disk>|disk 'vdc' with device 'cdrom'",
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='nbd' name='x'/><target dev='vda' bus='virtio'/></disk>|attribute 'protocol' of <domain/devices/disk/source>",
        "<disk type='volume' device='disk'><driver name='qemu' type='raw'/><target dev='vda' bus='virtio'/></disk>|disk 'vda' of type 'volume'",
        "<disk type='file' device='disk'><source file='/i.qcow2'/><target dev='vda' bus='virtio'/></disk>|disk 'vda' without <driver type=...>",
        "<disk type='file' device='disk'><driver name='qemu' type='vmdk'/><source file='/i.vmdk'/><target dev='vda' bus='virtio'/></disk>|disk 'vda' format 'vmdk'",
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/><source file='/i.qcow2'/><target dev='vda' bus='virtio'/></disk>|attribute 'cache' of <domain/devices/disk/driver>",
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i.qcow2'/><target dev='vda' bus='virtio'/><shareable/></disk>|element <domain/devices/disk/shareable>",
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><target dev='vda' bus='virtio'/></disk>|disk 'vda' without a source",
        "<controller type='scsi' index='0' model='virtio-scsi'/>|controller type 'scsi' model 'virtio-scsi'",
        "<input type='tablet' bus='usb'/>|input device 'tablet' on bus 'usb'",
        "<memballoon model='xen'/>|memballoon model 'xen'",
    })
    void unsupportedDevicesAreRefusedByName(String device, String named) {
        assertThatThrownBy(() -> QemuCommandLine.build(domain(vm("qemu", device)), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
                    assertThat(e.detail()).startsWith(named).endsWith("is not supported by the Backpoint QEMU driver");
                });
    }

    static final String GUEST_DEVICES =
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/a.qcow2'/>"
            + "<target dev='vda' bus='virtio'/></disk>"
            + "<serial type='file'><source path='/log/vm1.serial'/><target type='isa-serial' port='0'/></serial>"
            + "<console type='file'><source path='/log/vm1.serial'/><target type='serial' port='0'/></console>"
            + "<channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/>"
            + "<address type='virtio-serial' controller='0' bus='0' port='1'/></channel>"
            + "<interface type='user'><mac address='52:54:00:AB:cd:01'/><model type='virtio'/></interface>";

    @Test
    void aRealGuestBootsItsKernelWithConsoleAgentAndNetwork() {
        String xml = vm("qemu", GUEST_DEVICES).replace("<boot dev='hd'/>",
                "<kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline>");
        List<String> argv = QemuCommandLine.build(domain(xml), STATE, false);
        String line = String.join(" ", argv);
        assertThat(line).contains("-rtc base=utc -kernel /boot/vmlinuz -initrd /boot/initrd.img -append console=ttyS0 quiet -blockdev");
        assertThat(line).contains("-device virtio-blk-pci,drive=bp-vda-format,id=virtio-disk0"
                + " -chardev file,id=charserial0,path=/log/vm1.serial -device isa-serial,chardev=charserial0,id=serial0"
                + " -device virtio-serial-pci,id=virtio-serial0"
                + " -chardev socket,id=charchannel0,path=/var/lib/bp/run/vm1.agent,server=on,wait=off"
                + " -device virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,id=channel0,name=org.qemu.guest_agent.0"
                + " -netdev user,id=hostnet0 -device virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:ab:cd:01"
                + " -daemonize");
        // One serial port: the console is its second name.
        assertThat(argv.stream().filter("isa-serial,chardev=charserial0,id=serial0"::equals)).hasSize(1);
        assertThat(QemuCommandLine.agentSocket(domain(xml), STATE)).contains(Path.of("/var/lib/bp/run/vm1.agent"));
    }

    @Test
    void aConsoleAloneIsTheFirstSerialPortAndAnAgentPathIsKept() {
        String xml = vm("qemu", "<console type='pty'><target type='serial' port='0'/></console>"
                + "<channel type='unix'><source mode='bind' path='/x/ga,1.sock'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>");
        String line = String.join(" ", QemuCommandLine.build(domain(xml), STATE, false));
        assertThat(line).contains("-chardev pty,id=charserial0 -device isa-serial,chardev=charserial0,id=serial0");
        assertThat(line).contains("-chardev socket,id=charchannel0,path=/x/ga,,1.sock,server=on,wait=off");
        assertThat(QemuCommandLine.agentSocket(domain(xml), STATE)).contains(Path.of("/x/ga,1.sock"));
        assertThat(QemuCommandLine.agentSocket(domain(vm("qemu", "")), STATE)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<boot dev='hd'/>|<kernel>vmlinuz</kernel>|XML_ERROR|<kernel> 'vmlinuz' is not an absolute path",
        "<boot dev='hd'/>|<initrd>/i</initrd>|CONFIG_UNSUPPORTED|<os><initrd> or <cmdline> without <kernel>",
        "<boot dev='hd'/>|<kernel>/k</kernel><dtb>/d</dtb>|CONFIG_UNSUPPORTED|element <domain/os/dtb>",
        "<devices>|<devices><serial type='file'/>|XML_ERROR|<serial type='file'> needs an absolute <source path=...>",
        "<devices>|<devices><channel type='unix'><source mode='bind' path='s'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>|XML_ERROR|channel source path 's' is not absolute",
        "<devices>|<devices><interface type='user'><mac address='52:54:00'/><model type='virtio'/></interface>|XML_ERROR|invalid mac address '52:54:00'",
    })
    void badGuestSettingsAreRefusedByName(String from, String to, ErrorCode code, String detail) {
        String xml = vm("qemu", "").replace(from, to);
        assertThat(xml).contains(to);
        assertThatThrownBy(() -> QemuCommandLine.build(domain(xml), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.detail()).startsWith(detail);
                });
    }

    @Test
    void aLongAgentSocketPathIsRefused() {
        String path = "/" + "d".repeat(120) + "/ga.sock";
        String xml = vm("qemu", "<channel type='unix'><source mode='bind' path='" + path
                + "'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>");
        assertThatThrownBy(() -> QemuCommandLine.build(domain(xml), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.detail())
                        .isEqualTo("guest agent socket path '" + path + "' is longer than 107 bytes"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<clock offset='utc'/>|<clock offset='variable'/>|clock offset 'variable'",
        "<on_crash>destroy</on_crash>|<on_crash>restart</on_crash>|on_crash action 'restart'",
        "<on_poweroff>destroy</on_poweroff>|<on_poweroff>preserve</on_poweroff>|on_poweroff action 'preserve'",
        "arch='x86_64'|arch='aarch64'|architecture 'aarch64'",
        "<vcpu placement='static'>2</vcpu>|<vcpu placement='auto'>2</vcpu>|vcpu placement 'auto'",
        "<boot dev='hd'/>|<boot dev='network'/>|boot device 'network'",
        "<acpi/>|<hyperv/>|element <domain/features/hyperv>",
        "<currentMemory unit='KiB'>131072</currentMemory>|<currentMemory unit='KiB'>65536</currentMemory>|<currentMemory> different from <memory>",
        "<domain type='qemu'>|<domain type='xen'>|domain type 'xen'",
        "<features>|<cpu mode='host-passthrough'/><features>|element <domain/cpu>",
        "<features>|<seclabel type='none'/><features>|element <domain/seclabel>",
    })
    void unsupportedDomainSettingsAreRefusedByName(String from, String to, String named) {
        String xml = vm("qemu", "").replace(from, to);
        assertThat(xml).contains(to);
        assertThatThrownBy(() -> QemuCommandLine.build(domain(xml), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
                    assertThat(e.detail()).startsWith(named);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<memory unit='MiB'>128</memory>|<memory unit='MiB'>lots</memory>|invalid value 'lots' in <memory>",
        "<memory unit='MiB'>128</memory>|<memory unit='furlong'>128</memory>|unknown unit 'furlong' in <memory>",
        "<vcpu placement='static'>2</vcpu>|<vcpu>0</vcpu>|invalid vcpu count '0'",
        "machine='pc-i440fx-7.2'|machine='pc,accel=xen'|invalid machine type 'pc,accel=xen'",
        "<uuid>3d1c3b0f-2f5d-4c7e-9f1e-5a7b9c0d1e2f</uuid>|<uuid>nope</uuid>|malformed uuid element 'nope'",
    })
    void malformedValuesAreXmlErrors(String from, String to, String detail) {
        String xml = vm("qemu", "").replace(from, to);
        assertThat(xml).contains(to);
        assertThatThrownBy(() -> QemuCommandLine.build(domain(xml), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR);
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    /** libvirt 9.0's format node for the same driver attributes (read from its QEMU command line). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
        "discard='ignore'|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
        "discard='unmap'|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"discard\":\"unmap\",\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
        "discard='unmap' detect_zeroes='unmap'|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"discard\":\"unmap\",\"detect-zeroes\":\"unmap\",\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
        "detect_zeroes='unmap'|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"detect-zeroes\":\"on\",\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
        "detect_zeroes='off'|{\"node-name\":\"bp-vda-format\",\"read-only\":false,\"detect-zeroes\":\"off\",\"driver\":\"qcow2\",\"file\":\"bp-vda-storage\"}",
    })
    void discardAndDetectZeroesAreLibvirts(String attributes, String formatNode) {
        String d = "<disk type='file' device='disk'><driver name='qemu' type='qcow2' " + (attributes == null ? "" : attributes)
                + "/><source file='/img/a.qcow2'/><target dev='vda' bus='virtio'/></disk>";
        List<String> argv = QemuCommandLine.build(domain(vm("qemu", d)), STATE, true);
        assertThat(argv).containsSubsequence("-blockdev",
                "{\"driver\":\"file\",\"filename\":\"/img/a.qcow2\",\"node-name\":\"bp-vda-storage\",\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "-blockdev", formatNode);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "discard='trim'|disk 'vda' discard 'trim' is not one of 'unmap', 'ignore'",
        "detect_zeroes='yes'|disk 'vda' detect_zeroes 'yes' is not one of 'off', 'on', 'unmap'",
    })
    void badDiscardSettingsAreXmlErrors(String attributes, String detail) {
        String d = "<disk type='file' device='disk'><driver name='qemu' type='qcow2' " + attributes
                + "/><source file='/img/a.qcow2'/><target dev='vda' bus='virtio'/></disk>";
        assertThatThrownBy(() -> QemuCommandLine.build(domain(vm("qemu", d)), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR);
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    @Test
    void duplicateTargetsAndRelativePathsAreRefused() {
        String d = "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/a.raw'/><target dev='vda' bus='virtio'/></disk>";
        assertThatThrownBy(() -> QemuCommandLine.build(domain(vm("qemu", d + d)), STATE, true))
                .isInstanceOf(BackpointException.class).hasMessageContaining("'vda' duplicated");
        String rel = d.replace("/a.raw", "a.raw");
        assertThatThrownBy(() -> QemuCommandLine.build(domain(vm("qemu", rel)), STATE, true))
                .isInstanceOf(BackpointException.class).hasMessageContaining("not an absolute path");
    }

    @Test
    void unsafeNamesAndLongSocketPathsAreRefused() {
        String bad = "<domain type='qemu'><name>../etc</name><memory>65536</memory></domain>";
        assertThatThrownBy(() -> QemuCommandLine.build(domain(bad), STATE, true))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.detail()).isEqualTo("domain name '../etc' cannot be used as a file name"));
        String ok = "<domain type='qemu'><name>vm</name><memory>65536</memory></domain>";
        Path deep = Path.of("/" + "d".repeat(110));
        assertThatThrownBy(() -> QemuCommandLine.build(domain(ok), deep, true))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.detail()).contains("longer than 107 bytes"));
    }
}
