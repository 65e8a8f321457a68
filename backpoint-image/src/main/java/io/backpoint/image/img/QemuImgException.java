package io.backpoint.image.img;

import java.io.IOException;

/** qemu-img ran and failed: {@link #detail()} is its own message, on one line, without its "qemu-img: " prefix. */
public class QemuImgException extends IOException {
    private final String detail;

    public QemuImgException(String command, String detail) {
        super("qemu-img " + command + " failed: " + detail);
        this.detail = detail;
    }

    QemuImgException(String message) {
        super(message);
        this.detail = message;
    }

    public String detail() {
        return detail;
    }
}
