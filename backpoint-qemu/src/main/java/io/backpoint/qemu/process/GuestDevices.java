package io.backpoint.qemu.process;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.xml.XmlNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a real guest needs beyond disks, in libvirt's XML: direct kernel boot, serial console,
 * the QEMU guest agent's channel and user-mode networking. Only the forms Backpoint can honour
 * are accepted; anything else is refused by name, like the rest of the domain.
 */
final class GuestDevices {
    /** The virtio-serial port name the QEMU guest agent listens on. */
    static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    private GuestDevices() {}

    /** {@code -kernel}, {@code -initrd}, {@code -append} from {@code <os>}. */
    static void directBoot(XmlNode dom, List<String> argv) {
        XmlNode os = dom.child("os");
        if (os == null) {
            return;
        }
        String kernel = path(os, "kernel");
        String initrd = path(os, "initrd");
        XmlNode cmdline = os.child("cmdline");
        if (kernel == null && (initrd != null || cmdline != null)) {
            throw DomainAllowList.unsupported("<os><initrd> or <cmdline> without <kernel>");
        }
        if (kernel == null) {
            return;
        }
        argv.addAll(List.of("-kernel", kernel));
        if (initrd != null) {
            argv.addAll(List.of("-initrd", initrd));
        }
        if (cmdline != null && cmdline.text() != null && !cmdline.text().isBlank()) {
            argv.addAll(List.of("-append", cmdline.text().strip()));
        }
    }

    private static String path(XmlNode os, String child) {
        XmlNode c = os.child(child);
        if (c == null || c.text() == null || c.text().isBlank()) {
            return null;
        }
        String p = c.text().strip();
        if (!Path.of(p).isAbsolute()) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "<%s> '%s' is not an absolute path", child, p);
        }
        return p;
    }

    /**
     * Serial ports on the ISA bus, each to a file or a pty. A {@code <console>} of type serial is
     * libvirt's second name for the first serial port; alone, it makes that port.
     */
    static void serials(XmlNode devices, List<String> argv) {
        List<XmlNode> serials = devices.children("serial");
        List<XmlNode> consoles = devices.children("console");
        if (consoles.size() > 1) {
            throw DomainAllowList.unsupported("more than one <console>");
        }
        XmlNode console = consoles.isEmpty() ? null : consoles.get(0);
        if (console != null) {
            XmlNode target = console.child("target");
            String type = target == null || target.attribute("type") == null ? "serial" : target.attribute("type");
            if (!type.equals("serial")) {
                throw DomainAllowList.unsupported("console target type '%s' (only serial)", type);
            }
            if (serials.isEmpty()) {
                serials = List.of(console);
            } else if (!sameBackend(serials.get(0), console)) {
                throw DomainAllowList.unsupported("a <console> different from the first <serial>");
            }
        }
        for (int i = 0; i < serials.size(); i++) {
            XmlNode serial = serials.get(i);
            XmlNode target = serial.child("target");
            if (target != null && target.attribute("port") != null && !target.attribute("port").equals(Integer.toString(i))) {
                throw DomainAllowList.unsupported("serial port '%s' out of order (ports count from 0)", target.attribute("port"));
            }
            if (target != null && target.attribute("type") != null && !target.attribute("type").equals("isa-serial")
                    && serial.name().equals("serial")) {
                throw DomainAllowList.unsupported("serial target type '%s' (only isa-serial)", target.attribute("type"));
            }
            String chardev = "charserial" + i;
            argv.addAll(List.of("-chardev", chardev(serial, chardev)));
            argv.addAll(List.of("-device", "isa-serial,chardev=" + chardev + ",id=serial" + i));
        }
    }

    private static boolean sameBackend(XmlNode serial, XmlNode console) {
        String a = serial.attribute("type");
        String b = console.attribute("type");
        return a != null && a.equals(b) && String.valueOf(sourcePath(serial)).equals(String.valueOf(sourcePath(console)));
    }

    private static String sourcePath(XmlNode n) {
        XmlNode s = n.child("source");
        return s == null ? null : s.attribute("path");
    }

    private static String chardev(XmlNode serial, String id) {
        String type = serial.attribute("type");
        if ("pty".equals(type)) {
            return "pty,id=" + id;
        }
        if ("file".equals(type)) {
            String p = sourcePath(serial);
            if (p == null || !Path.of(p).isAbsolute()) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "<%s type='file'> needs an absolute <source path=...>", serial.name());
            }
            return "file,id=" + id + ",path=" + QemuCommandLine.escapeOpt(p);
        }
        throw DomainAllowList.unsupported("<%s> of type '%s' (only file and pty)", serial.name(), type);
    }

    /**
     * The guest agent channel: a virtio-serial port named {@link #AGENT_CHANNEL} on a unix socket
     * QEMU listens on, by default in the domain's run directory.
     */
    static void agentChannel(XmlNode devices, Path defaultSocket, List<String> argv) {
        List<XmlNode> channels = devices.children("channel");
        if (channels.isEmpty()) {
            return;
        }
        if (channels.size() > 1) {
            throw DomainAllowList.unsupported("more than one <channel> (only the guest agent's)");
        }
        Path socket = channelSocket(channels.get(0), defaultSocket);
        argv.addAll(List.of("-device", "virtio-serial-pci,id=virtio-serial0"));
        argv.addAll(List.of("-chardev", "socket,id=charchannel0,path=" + QemuCommandLine.escapeOpt(socket.toString())
                + ",server=on,wait=off"));
        argv.addAll(List.of("-device", "virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,id=channel0,name="
                + AGENT_CHANNEL));
    }

    /** The agent's socket if the domain has an agent channel. */
    static Optional<Path> agentSocket(XmlNode dom, Path defaultSocket) {
        XmlNode devices = dom.child("devices");
        if (devices == null || devices.children("channel").isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(channelSocket(devices.children("channel").get(0), defaultSocket));
    }

    private static Path channelSocket(XmlNode channel, Path defaultSocket) {
        if (!"unix".equals(channel.attribute("type"))) {
            throw DomainAllowList.unsupported("channel of type '%s' (only unix)", channel.attribute("type"));
        }
        XmlNode target = channel.child("target");
        if (target == null || !"virtio".equals(target.attribute("type")) || !AGENT_CHANNEL.equals(target.attribute("name"))) {
            throw DomainAllowList.unsupported("channel other than <target type='virtio' name='%s'/>", AGENT_CHANNEL);
        }
        XmlNode source = channel.child("source");
        String mode = source == null ? null : source.attribute("mode");
        if (mode != null && !mode.equals("bind")) {
            throw DomainAllowList.unsupported("channel source mode '%s' (QEMU listens: bind)", mode);
        }
        String p = source == null ? null : source.attribute("path");
        Path socket = p == null || p.isEmpty() ? defaultSocket : Path.of(p);
        if (!socket.isAbsolute()) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "channel source path '%s' is not absolute", p);
        }
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > QemuCommandLine.MAX_SOCKET_PATH) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "guest agent socket path '%s' is longer than %d bytes", socket, QemuCommandLine.MAX_SOCKET_PATH);
        }
        return socket;
    }

    /** User-mode (slirp) networking with virtio NICs. */
    static void interfaces(XmlNode devices, List<String> argv) {
        List<XmlNode> nics = devices.children("interface");
        for (int i = 0; i < nics.size(); i++) {
            XmlNode nic = nics.get(i);
            if (!"user".equals(nic.attribute("type"))) {
                throw DomainAllowList.unsupported("interface of type '%s' (only user)", nic.attribute("type"));
            }
            XmlNode model = nic.child("model");
            String m = model == null ? null : model.attribute("type");
            if (!"virtio".equals(m)) {
                throw DomainAllowList.unsupported("interface model '%s' (only virtio)", m);
            }
            String device = "virtio-net-pci,netdev=hostnet" + i + ",id=net" + i;
            XmlNode mac = nic.child("mac");
            if (mac != null) {
                String address = mac.attribute("address");
                if (address == null || !MAC.matcher(address).matches()) {
                    throw BackpointException.of(ErrorCode.XML_ERROR, "invalid mac address '%s'", address);
                }
                device += ",mac=" + address.toLowerCase(java.util.Locale.ROOT);
            }
            argv.addAll(List.of("-netdev", "user,id=hostnet" + i, "-device", device));
        }
    }
}
