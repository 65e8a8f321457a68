package io.backpoint.qemu.process;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.model.XmlNode;
import io.backpoint.qemu.block.BlockNodeNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a domain definition into a QEMU command line. Pure: no files are touched and the
 * host's KVM support is an input, so every decision can be tested.
 *
 * <p>Disks use {@code -blockdev} with Backpoint's stable node names and a virtio-blk device
 * named as libvirt names it ({@code virtio-disk<index>}), so the qdev path of vda is
 * {@code /machine/peripheral/virtio-disk0/virtio-backend} here as under libvirt. QEMU runs
 * daemonized with a pid file and a QMP socket in the state directory, named after the domain.
 */
public final class QemuCommandLine {
    /** The emulator used when the domain names none. */
    public static final String DEFAULT_EMULATOR = "qemu-system-x86_64";
    /** sun_path holds 108 bytes including the terminating NUL: the longest unix socket path. */
    public static final int MAX_SOCKET_PATH = 107;

    private static final Pattern MACHINE = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private QemuCommandLine() {}

    /** Where QEMU writes its pid. */
    public static Path pidFile(Path stateDir, String name) {
        return stateDir.resolve(name + ".pid");
    }

    /** The QMP socket QEMU listens on. */
    public static Path qmpSocket(Path stateDir, String name) {
        return stateDir.resolve(name + ".qmp");
    }

    /** The guest agent's socket when the domain's channel names no path. */
    public static Path agentSocket(Path stateDir, String name) {
        return stateDir.resolve(name + ".agent");
    }

    /** The socket of the domain's guest agent channel, if it has one (its own path or the default). */
    public static Optional<Path> agentSocket(DomainDef def, Path stateDir) {
        return GuestDevices.agentSocket(def.element(), agentSocket(stateDir.toAbsolutePath(), def.name()));
    }

    /** Where QEMU's stderr goes until it daemonizes (start-up errors). */
    public static Path logFile(Path stateDir, String name) {
        return stateDir.resolve(name + ".log");
    }

    /**
     * Builds the argv.
     *
     * @param stateDir directory for the pid file and QMP socket (absolute)
     * @param kvmUsable whether /dev/kvm opens read-write on this host
     * @throws BackpointException CONFIG_UNSUPPORTED for anything Backpoint cannot honour,
     *     XML_ERROR for malformed values
     */
    public static List<String> build(DomainDef def, Path stateDir, boolean kvmUsable) {
        XmlNode dom = def.element();
        DomainAllowList.check(dom);
        String name = text(dom, "name");
        if (name == null || name.isEmpty()) {
            throw new BackpointException(ErrorCode.XML_ERROR, "domain has no name");
        }
        if (name.contains("/") || name.startsWith(".") || name.indexOf('\0') >= 0) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "domain name '%s' cannot be used as a file name", name);
        }
        Path qmp = qmpSocket(stateDir.toAbsolutePath(), name);
        if (qmp.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "monitor socket path '%s' is longer than %d bytes", qmp, MAX_SOCKET_PATH);
        }

        List<String> argv = new ArrayList<>();
        XmlNode devices = dom.child("devices");
        String emulator = devices == null ? null : text(devices, "emulator");
        argv.add(emulator == null || emulator.isEmpty() ? DEFAULT_EMULATOR : emulator);
        argv.addAll(List.of("-name", "guest=" + escapeOpt(name) + ",debug-threads=on"));
        String uuid = text(dom, "uuid");
        if (uuid != null) {
            if (!UUID.matcher(uuid).matches()) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "malformed uuid element '%s'", uuid);
            }
            argv.addAll(List.of("-uuid", uuid));
        }
        argv.addAll(List.of("-machine", machine(dom)));
        argv.addAll(List.of("-accel", accel(dom.attribute("type"), kvmUsable)));
        argv.addAll(List.of("-m", "size=" + memoryKiB(dom) + "k"));
        argv.addAll(List.of("-smp", Integer.toString(vcpus(dom))));
        argv.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none"));
        argv.addAll(List.of("-rtc", "base=" + clockBase(dom)));
        lifecycle(dom, argv);
        GuestDevices.directBoot(dom, argv);
        if (devices != null) {
            disks(devices, argv);
            otherDevices(devices, argv);
            GuestDevices.serials(devices, argv);
            GuestDevices.agentChannel(devices, agentSocket(stateDir.toAbsolutePath(), name), argv);
            GuestDevices.interfaces(devices, argv);
        }
        argv.add("-daemonize");
        argv.addAll(List.of("-pidfile", pidFile(stateDir.toAbsolutePath(), name).toString()));
        argv.addAll(List.of("-qmp", "unix:" + escapeOpt(qmp.toString()) + ",server=on,wait=off"));
        return List.copyOf(argv);
    }

    private static String machine(XmlNode dom) {
        XmlNode os = dom.child("os");
        XmlNode type = os == null ? null : os.child("type");
        if (type == null) {
            return "pc";
        }
        String osType = type.text() == null ? "hvm" : type.text().strip();
        if (!osType.equals("hvm")) {
            throw DomainAllowList.unsupported("os type '%s'", osType);
        }
        String arch = type.attribute("arch");
        if (arch != null && !arch.equals("x86_64")) {
            throw DomainAllowList.unsupported("architecture '%s'", arch);
        }
        for (XmlNode boot : os.children("boot")) {
            if (!"hd".equals(boot.attribute("dev"))) {
                throw DomainAllowList.unsupported("boot device '%s'", boot.attribute("dev"));
            }
        }
        String machine = type.attribute("machine");
        if (machine == null) {
            return "pc";
        }
        if (!MACHINE.matcher(machine).matches()) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "invalid machine type '%s'", machine);
        }
        return machine;
    }

    private static String accel(String type, boolean kvmUsable) {
        if ("kvm".equals(type)) {
            if (!kvmUsable) {
                throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                        "domain requires KVM, but /dev/kvm cannot be opened read-write on this host;"
                                + " use <domain type='qemu'> for emulation");
            }
            return "kvm";
        }
        if ("qemu".equals(type)) {
            return "tcg";
        }
        throw DomainAllowList.unsupported("domain type '%s'", type);
    }

    /** Memory in KiB; libvirt's default unit is KiB. */
    private static long memoryKiB(XmlNode dom) {
        XmlNode mem = dom.child("memory");
        if (mem == null) {
            throw new BackpointException(ErrorCode.XML_ERROR, "missing <memory> element");
        }
        long bytes = bytes(mem);
        XmlNode current = dom.child("currentMemory");
        if (current != null && bytes(current) != bytes) {
            throw DomainAllowList.unsupported("<currentMemory> different from <memory> (ballooning)");
        }
        if (bytes < 1024 * 1024 || bytes % 1024 != 0) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "memory size %d bytes is not a whole number of KiB of at least 1 MiB", bytes);
        }
        return bytes / 1024;
    }

    private static long bytes(XmlNode el) {
        String unit = el.attribute("unit") == null ? "KiB" : el.attribute("unit");
        long scale = switch (unit.toLowerCase(Locale.ROOT)) {
            case "b", "bytes" -> 1L;
            case "kb" -> 1000L;
            case "k", "kib" -> 1L << 10;
            case "mb" -> 1000_000L;
            case "m", "mib" -> 1L << 20;
            case "gb" -> 1000_000_000L;
            case "g", "gib" -> 1L << 30;
            case "tb" -> 1000_000_000_000L;
            case "t", "tib" -> 1L << 40;
            default -> throw BackpointException.of(ErrorCode.XML_ERROR, "unknown unit '%s' in <%s>", unit, el.name());
        };
        String t = el.text() == null ? "" : el.text().strip();
        try {
            return Math.multiplyExact(Long.parseLong(t), scale);
        } catch (NumberFormatException | ArithmeticException e) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "invalid value '%s' in <%s>", t, el.name());
        }
    }

    private static int vcpus(XmlNode dom) {
        XmlNode vcpu = dom.child("vcpu");
        if (vcpu == null) {
            return 1;
        }
        String placement = vcpu.attribute("placement");
        if (placement != null && !placement.equals("static")) {
            throw DomainAllowList.unsupported("vcpu placement '%s'", placement);
        }
        String t = vcpu.text() == null ? "" : vcpu.text().strip();
        try {
            int n = Integer.parseInt(t);
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw BackpointException.of(ErrorCode.XML_ERROR, "invalid vcpu count '%s'", t);
    }

    private static String clockBase(XmlNode dom) {
        XmlNode clock = dom.child("clock");
        String offset = clock == null || clock.attribute("offset") == null ? "utc" : clock.attribute("offset");
        if (!offset.equals("utc") && !offset.equals("localtime")) {
            throw DomainAllowList.unsupported("clock offset '%s'", offset);
        }
        return offset;
    }

    private static void lifecycle(XmlNode dom, List<String> argv) {
        String poweroff = text(dom, "on_poweroff");
        if (poweroff != null && !poweroff.equals("destroy")) {
            throw DomainAllowList.unsupported("on_poweroff action '%s'", poweroff);
        }
        String crash = text(dom, "on_crash");
        if (crash != null && !crash.equals("destroy")) {
            throw DomainAllowList.unsupported("on_crash action '%s'", crash);
        }
        String reboot = text(dom, "on_reboot");
        if (reboot == null || reboot.equals("restart")) {
            return;
        }
        if (!reboot.equals("destroy")) {
            throw DomainAllowList.unsupported("on_reboot action '%s'", reboot);
        }
        argv.add("-no-reboot");
    }

    private static void disks(XmlNode devices, List<String> argv) {
        Set<String> targets = new HashSet<>();
        for (XmlNode disk : devices.children("disk")) {
            XmlNode target = disk.child("target");
            String dev = target == null ? null : target.attribute("dev");
            if (dev == null) {
                throw new BackpointException(ErrorCode.XML_ERROR, "disk without <target dev=...>");
            }
            String bus = target.attribute("bus");
            if (bus != null && !bus.equals("virtio")) {
                throw DomainAllowList.unsupported("disk '%s' on bus '%s' (only virtio)", dev, bus);
            }
            int index = DiskIndex.ofVirtioTarget(dev);
            if (index < 0) {
                throw DomainAllowList.unsupported("disk target '%s' (virtio disks are named vda, vdb, ...)", dev);
            }
            if (!targets.add(dev)) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "target '%s' duplicated for disk sources", dev);
            }
            String device = disk.attribute("device") == null ? "disk" : disk.attribute("device");
            if (!device.equals("disk")) {
                throw DomainAllowList.unsupported("disk '%s' with device '%s'", dev, device);
            }
            String type = disk.attribute("type") == null ? "file" : disk.attribute("type");
            XmlNode source = disk.child("source");
            String path = switch (type) {
                case "file" -> source == null ? null : source.attribute("file");
                case "block" -> source == null ? null : source.attribute("dev");
                default -> throw DomainAllowList.unsupported("disk '%s' of type '%s'", dev, type);
            };
            if (path == null || path.isEmpty()) {
                throw DomainAllowList.unsupported("disk '%s' without a source", dev);
            }
            if (!Path.of(path).isAbsolute()) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "disk '%s' source '%s' is not an absolute path", dev, path);
            }
            if (disk.child("backingStore") != null && !disk.child("backingStore").children().isEmpty()) {
                throw DomainAllowList.unsupported("disk '%s' with an explicit backingStore", dev);
            }
            XmlNode driver = disk.child("driver");
            String format = driver == null ? null : driver.attribute("type");
            if (driver != null && driver.attribute("name") != null && !driver.attribute("name").equals("qemu")) {
                throw DomainAllowList.unsupported("disk '%s' driver name '%s'", dev, driver.attribute("name"));
            }
            if (format == null) {
                throw DomainAllowList.unsupported("disk '%s' without <driver type=...> (format probing is unsafe)", dev);
            }
            if (!format.equals("qcow2") && !format.equals("raw")) {
                throw DomainAllowList.unsupported("disk '%s' format '%s' (only qcow2 and raw)", dev, format);
            }
            boolean readonly = disk.child("readonly") != null;

            ObjectNode storage = F.objectNode().put("driver", type.equals("block") ? "host_device" : "file")
                    .put("filename", path).put("node-name", BlockNodeNames.storage(dev))
                    .put("auto-read-only", true).put("discard", "unmap");
            ObjectNode fmt = F.objectNode().put("node-name", BlockNodeNames.format(dev)).put("read-only", readonly);
            DiskDiscard.apply(dev, driver, fmt);
            fmt.put("driver", format).put("file", BlockNodeNames.storage(dev));
            argv.addAll(List.of("-blockdev", storage.toString(), "-blockdev", fmt.toString()));
            argv.addAll(List.of("-device",
                    "virtio-blk-pci,drive=" + BlockNodeNames.format(dev) + ",id=virtio-disk" + index));
        }
    }

    private static void otherDevices(XmlNode devices, List<String> argv) {
        for (XmlNode c : devices.children("controller")) {
            String type = c.attribute("type");
            String model = c.attribute("model");
            boolean implicit = ("pci".equals(type) && ("pci-root".equals(model) || "pcie-root".equals(model)))
                    || ("usb".equals(type) && "none".equals(model));
            if (!implicit) {
                throw DomainAllowList.unsupported("controller type '%s' model '%s'", type, model);
            }
        }
        for (XmlNode in : devices.children("input")) {
            // PS/2 keyboard and mouse are part of the pc and q35 machines.
            if (!"ps2".equals(in.attribute("bus"))) {
                throw DomainAllowList.unsupported("input device '%s' on bus '%s'", in.attribute("type"), in.attribute("bus"));
            }
        }
        for (XmlNode b : devices.children("memballoon")) {
            String model = b.attribute("model");
            if ("virtio".equals(model)) {
                argv.addAll(List.of("-device", "virtio-balloon-pci,id=balloon0"));
            } else if (!"none".equals(model)) {
                throw DomainAllowList.unsupported("memballoon model '%s'", model);
            }
        }
    }

    private static String text(XmlNode parent, String child) {
        XmlNode c = parent.child(child);
        return c == null || c.text() == null ? null : c.text().strip();
    }

    /** QEMU option values escape a comma by doubling it. */
    static String escapeOpt(String s) {
        return s.replace(",", ",,");
    }
}
