package io.backpoint.qemu.process;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;
import java.util.Map;
import java.util.Set;

/**
 * The parts of a {@code <domain>} the QEMU driver can honour. Anything else is refused with
 * CONFIG_UNSUPPORTED naming the element or attribute: a VM started without a device the user
 * asked for would look like it worked and behave differently, so nothing is silently ignored.
 * A few elements that carry no behaviour for a guest-less VM here (addresses, aliases,
 * metadata, descriptions) are tolerated; they are listed below.
 */
final class DomainAllowList {
    private DomainAllowList() {}

    /** Allowed attributes and children of an element, by path from {@code domain}. */
    private record Rule(Set<String> attributes, Set<String> children) {}

    private static final Set<String> ANY = Set.of("*");

    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("domain", new Rule(Set.of("type", "id"), Set.of("name", "uuid", "title", "description",
                    "metadata", "memory", "currentMemory", "vcpu", "os", "features", "clock", "on_poweroff",
                    "on_reboot", "on_crash", "devices"))),
            Map.entry("domain/name", new Rule(Set.of(), Set.of())),
            Map.entry("domain/uuid", new Rule(Set.of(), Set.of())),
            Map.entry("domain/title", new Rule(Set.of(), Set.of())),
            Map.entry("domain/description", new Rule(Set.of(), Set.of())),
            // Metadata belongs to applications; libvirt stores it without interpreting it.
            Map.entry("domain/metadata", new Rule(ANY, ANY)),
            Map.entry("domain/memory", new Rule(Set.of("unit"), Set.of())),
            Map.entry("domain/currentMemory", new Rule(Set.of("unit"), Set.of())),
            Map.entry("domain/vcpu", new Rule(Set.of("placement"), Set.of())),
            Map.entry("domain/os", new Rule(Set.of(), Set.of("type", "boot", "kernel", "initrd", "cmdline"))),
            Map.entry("domain/os/kernel", new Rule(Set.of(), Set.of())),
            Map.entry("domain/os/initrd", new Rule(Set.of(), Set.of())),
            Map.entry("domain/os/cmdline", new Rule(Set.of(), Set.of())),
            Map.entry("domain/os/type", new Rule(Set.of("arch", "machine"), Set.of())),
            Map.entry("domain/os/boot", new Rule(Set.of("dev"), Set.of())),
            Map.entry("domain/features", new Rule(Set.of(), Set.of("acpi", "apic", "pae"))),
            Map.entry("domain/features/acpi", new Rule(Set.of(), Set.of())),
            Map.entry("domain/features/apic", new Rule(Set.of(), Set.of())),
            Map.entry("domain/features/pae", new Rule(Set.of(), Set.of())),
            Map.entry("domain/clock", new Rule(Set.of("offset"), Set.of())),
            Map.entry("domain/on_poweroff", new Rule(Set.of(), Set.of())),
            Map.entry("domain/on_reboot", new Rule(Set.of(), Set.of())),
            Map.entry("domain/on_crash", new Rule(Set.of(), Set.of())),
            Map.entry("domain/devices", new Rule(Set.of(),
                    Set.of("emulator", "disk", "controller", "memballoon", "input", "serial", "console", "channel",
                            "interface"))),
            Map.entry("domain/devices/emulator", new Rule(Set.of(), Set.of())),
            Map.entry("domain/devices/disk", new Rule(Set.of("type", "device"),
                    Set.of("driver", "source", "target", "readonly", "backingStore", "address", "alias"))),
            Map.entry("domain/devices/disk/driver", new Rule(Set.of("name", "type", "discard", "detect_zeroes"), Set.of())),
            Map.entry("domain/devices/disk/source", new Rule(Set.of("file", "dev"), Set.of())),
            Map.entry("domain/devices/disk/target", new Rule(Set.of("dev", "bus"), Set.of())),
            Map.entry("domain/devices/disk/readonly", new Rule(Set.of(), Set.of())),
            // libvirt writes an empty backingStore for a disk without backing file.
            Map.entry("domain/devices/disk/backingStore", new Rule(Set.of(), Set.of())),
            // Addresses fix PCI slots; Backpoint lets QEMU choose, which a guest-less VM cannot notice.
            Map.entry("domain/devices/disk/address", new Rule(ANY, Set.of())),
            Map.entry("domain/devices/disk/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/controller", new Rule(Set.of("type", "index", "model"), Set.of("address", "alias"))),
            Map.entry("domain/devices/controller/address", new Rule(ANY, Set.of())),
            Map.entry("domain/devices/controller/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/memballoon", new Rule(Set.of("model"), Set.of("address", "alias"))),
            Map.entry("domain/devices/memballoon/address", new Rule(ANY, Set.of())),
            Map.entry("domain/devices/memballoon/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/input", new Rule(Set.of("type", "bus"), Set.of("address", "alias"))),
            Map.entry("domain/devices/input/address", new Rule(ANY, Set.of())),
            Map.entry("domain/devices/input/alias", new Rule(Set.of("name"), Set.of())),
            // A real guest: serial console, guest agent channel, user-mode network (GuestDevices).
            Map.entry("domain/devices/serial", new Rule(Set.of("type"), Set.of("source", "target", "alias"))),
            Map.entry("domain/devices/serial/source", new Rule(Set.of("path"), Set.of())),
            Map.entry("domain/devices/serial/target", new Rule(Set.of("type", "port"), Set.of())),
            Map.entry("domain/devices/serial/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/console", new Rule(Set.of("type", "tty"), Set.of("source", "target", "alias"))),
            Map.entry("domain/devices/console/source", new Rule(Set.of("path"), Set.of())),
            Map.entry("domain/devices/console/target", new Rule(Set.of("type", "port"), Set.of())),
            Map.entry("domain/devices/console/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/channel", new Rule(Set.of("type"), Set.of("source", "target", "alias", "address"))),
            Map.entry("domain/devices/channel/source", new Rule(Set.of("mode", "path"), Set.of())),
            Map.entry("domain/devices/channel/target", new Rule(Set.of("type", "name", "state"), Set.of())),
            Map.entry("domain/devices/channel/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/channel/address", new Rule(ANY, Set.of())),
            Map.entry("domain/devices/interface", new Rule(Set.of("type"), Set.of("mac", "model", "alias", "address"))),
            Map.entry("domain/devices/interface/mac", new Rule(Set.of("address"), Set.of())),
            Map.entry("domain/devices/interface/model", new Rule(Set.of("type"), Set.of())),
            Map.entry("domain/devices/interface/alias", new Rule(Set.of("name"), Set.of())),
            Map.entry("domain/devices/interface/address", new Rule(ANY, Set.of())));

    /** Refuses the first element or attribute outside the allow-list. */
    static void check(XmlNode domain) {
        check(domain, "domain");
    }

    private static void check(XmlNode node, String path) {
        Rule rule = RULES.get(path);
        if (rule.attributes() != ANY) {
            for (XmlNode.Attribute a : node.attributes()) {
                if (!rule.attributes().contains(a.name()) && !a.name().startsWith("xmlns")) {
                    throw unsupported("attribute '%s' of <%s>", a.name(), path);
                }
            }
        }
        if (rule.children() == ANY) {
            return;
        }
        for (XmlNode c : node.children()) {
            if (!rule.children().contains(c.name())) {
                throw unsupported("element <%s/%s>", path, c.name());
            }
            check(c, path + "/" + c.name());
        }
    }

    static BackpointException unsupported(String what, Object... args) {
        return new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                String.format(what, args) + " is not supported by the Backpoint QEMU driver");
    }
}
