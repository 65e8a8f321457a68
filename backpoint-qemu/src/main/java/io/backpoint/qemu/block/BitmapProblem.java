package io.backpoint.qemu.block;

/**
 * Why a checkpoint's bitmap cannot be used for a backup or a SIZE, with the words the user reads.
 * Every check (live through QMP, offline through qemu-img) reports one of these, and
 * {@link #message} is the one error text for all of them.
 */
public enum BitmapProblem {
    MISSING_IN_TOP("the bitmap is gone from the image"),
    GAP_IN_CHAIN("the bitmap chain is broken"),
    NOT_PERSISTENT("the bitmap is not persistent"),
    NOT_RECORDING("the bitmap is not recording"),
    INCONSISTENT("the bitmap is inconsistent (QEMU did not stop cleanly)");

    private final String why;

    BitmapProblem(String why) {
        this.why = why;
    }

    /** libvirt's message, plus what the user can do about it. */
    public String message(String bitmap, String disk) {
        return "missing or broken bitmap '" + bitmap + "' for disk '" + disk + "' (" + why
                + "); delete the checkpoint (checkpoint-delete --metadata if its bitmaps are gone) and take a full backup";
    }
}
