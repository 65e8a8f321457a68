package io.backpoint.image.img;

/** qemu-img did not finish within the runner's time limit (it was killed). */
public final class QemuImgTimeoutException extends QemuImgException {
    QemuImgTimeoutException(String message) {
        super(message);
    }
}
