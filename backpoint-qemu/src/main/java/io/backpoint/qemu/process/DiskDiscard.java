package io.backpoint.qemu.process;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;

/**
 * A disk's {@code <driver discard= detect_zeroes=>} as libvirt puts them on the format node
 * (seen in libvirt 9.0's command line): {@code discard='unmap'} passes the guest's discards down
 * (the storage node always allows them, so only this setting decides), {@code 'ignore'} or no
 * attribute drops them, QEMU's default; {@code detect_zeroes} becomes {@code detect-zeroes}, where
 * {@code 'unmap'} without {@code discard='unmap'} is {@code on}, as libvirt has it.
 */
final class DiskDiscard {
    private DiskDiscard() {
    }

    static void apply(String dev, XmlNode driver, ObjectNode format) {
        String discard = driver == null ? null : driver.attribute("discard");
        String zeroes = driver == null ? null : driver.attribute("detect_zeroes");
        if (discard != null && !discard.equals("unmap") && !discard.equals("ignore")) {
            throw BackpointException.of(ErrorCode.XML_ERROR,
                    "disk '%s' discard '%s' is not one of 'unmap', 'ignore'", dev, discard);
        }
        if (zeroes != null && !zeroes.equals("off") && !zeroes.equals("on") && !zeroes.equals("unmap")) {
            throw BackpointException.of(ErrorCode.XML_ERROR,
                    "disk '%s' detect_zeroes '%s' is not one of 'off', 'on', 'unmap'", dev, zeroes);
        }
        boolean unmap = "unmap".equals(discard);
        if (unmap) {
            format.put("discard", "unmap");
        }
        if (zeroes != null) {
            format.put("detect-zeroes", zeroes.equals("unmap") && !unmap ? "on" : zeroes);
        }
    }
}
