package io.backpoint.libvirt;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;

/**
 * The calls Backpoint makes into libvirt's client library, {@code libvirt.so.0} (Debian package
 * libvirt0), and {@code libvirt-qemu.so.0}. Handles are opaque pointers; strings libvirt returns
 * for the caller to free are Pointers, freed with {@link #freeString}.
 */
interface Libvirt extends Library {
    String LIBRARY = "libvirt.so.0";
    String QEMU_LIBRARY = "libvirt-qemu.so.0";

    int virInitialize();

    Pointer virConnectOpenAuth(String name, Pointer auth, int flags);

    int virConnectClose(Pointer conn);

    Pointer virConnectGetURI(Pointer conn);

    int virConnectListAllDomains(Pointer conn, PointerByReference domains, int flags);

    Pointer virDomainLookupByName(Pointer conn, String name);

    int virDomainFree(Pointer dom);

    String virDomainGetName(Pointer dom);

    int virDomainGetUUIDString(Pointer dom, byte[] buf);

    int virDomainGetID(Pointer dom);

    int virDomainGetState(Pointer dom, IntByReference state, IntByReference reason, int flags);

    int virDomainIsPersistent(Pointer dom);

    Pointer virDomainGetXMLDesc(Pointer dom, int flags);

    Pointer virDomainDefineXML(Pointer conn, String xml);

    int virDomainUndefineFlags(Pointer dom, int flags);

    int virDomainCreate(Pointer dom);

    int virDomainDestroy(Pointer dom);

    int virDomainShutdown(Pointer dom);

    /** info: capacity, allocation, physical (three unsigned long longs). */
    int virDomainGetBlockInfo(Pointer dom, String disk, long[] info, int flags);

    Pointer virDomainCheckpointCreateXML(Pointer dom, String xml, int flags);

    String virDomainCheckpointGetName(Pointer checkpoint);

    int virDomainListAllCheckpoints(Pointer dom, PointerByReference checkpoints, int flags);

    int virDomainCheckpointListAllChildren(Pointer checkpoint, PointerByReference children, int flags);

    Pointer virDomainCheckpointLookupByName(Pointer dom, String name, int flags);

    Pointer virDomainCheckpointGetXMLDesc(Pointer checkpoint, int flags);

    Pointer virDomainCheckpointGetParent(Pointer checkpoint, int flags);

    int virDomainCheckpointDelete(Pointer checkpoint, int flags);

    int virDomainCheckpointFree(Pointer checkpoint);

    int virDomainBackupBegin(Pointer dom, String backupXml, String checkpointXml, int flags);

    Pointer virDomainBackupGetXMLDesc(Pointer dom, int flags);

    int virDomainGetJobStats(Pointer dom, IntByReference type, PointerByReference params, IntByReference nparams, int flags);

    int virTypedParamsGetULLong(Pointer params, int nparams, String name, LongByReference value);

    int virTypedParamsGetInt(Pointer params, int nparams, String name, IntByReference value);

    int virTypedParamsGetString(Pointer params, int nparams, String name, PointerByReference value);

    void virTypedParamsFree(Pointer params, int nparams);

    int virDomainAbortJob(Pointer dom);

    int virDomainFSFreeze(Pointer dom, Pointer mountpoints, int nmountpoints, int flags);

    int virDomainFSThaw(Pointer dom, Pointer mountpoints, int nmountpoints, int flags);

    Pointer virGetLastError();

    void virResetLastError();

    void virSetErrorFunc(Pointer userData, ErrorFunc handler);

    /** libvirt's virErrorFunc. */
    interface ErrorFunc extends Callback {
        void invoke(Pointer userData, Pointer error);
    }

    /** libvirt-qemu.so.0. */
    interface Qemu extends Library {
        int virDomainQemuMonitorCommand(Pointer dom, String cmd, PointerByReference result, int flags);
    }

    /** Frees a string libvirt allocated for the caller (glib's g_free is free). */
    static String freeString(Pointer p) {
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            Native.free(Pointer.nativeValue(p));
        }
    }

    /** The loaded library, once per JVM. */
    static Libvirt get() {
        return Holder.LIB.lib();
    }

    static Qemu qemu() {
        return Holder.LIB.qemu();
    }

    /** virConnectAuthPtrDefault: libvirt's own console prompts, as virsh uses. */
    static Pointer defaultAuth() {
        return Holder.LIB.auth();
    }

    /** Loads lazily so a JVM without libvirt0 only fails when a libvirt URI is opened. */
    final class Holder {
        private Holder() {}

        private static final Loaded LIB = Loaded.load();
    }

    /** The loaded libraries, or why they could not be loaded. */
    record Loaded(Libvirt lib0, Qemu qemu0, Pointer auth0, String missing) {
        // Held so the callback is never collected while libvirt may call it.
        private static final ErrorFunc QUIET = (userData, error) -> { };

        static Loaded load() {
            try {
                Libvirt lib = Native.load(LIBRARY, Libvirt.class);
                lib.virInitialize();
                // Without a handler libvirt prints every error to stderr itself; we report them once, as virsh does.
                lib.virSetErrorFunc(null, QUIET);
                Pointer auth = NativeLibrary.getInstance(LIBRARY).getGlobalVariableAddress("virConnectAuthPtrDefault").getPointer(0);
                Qemu qemu = null;
                try {
                    qemu = Native.load(QEMU_LIBRARY, Qemu.class);
                } catch (UnsatisfiedLinkError e) {
                    // Only qemu-monitor-command needs it; that call says so.
                }
                return new Loaded(lib, qemu, auth, null);
            } catch (UnsatisfiedLinkError e) {
                return new Loaded(null, null, null, e.getMessage());
            }
        }

        Libvirt lib() {
            if (lib0 == null) {
                throw BackpointException.of(ErrorCode.NO_CONNECT,
                        "libvirt's client library %s cannot be loaded (install the Debian package libvirt0): %s",
                        LIBRARY, missing);
            }
            return lib0;
        }

        Qemu qemu() {
            lib();
            if (qemu0 == null) {
                throw BackpointException.of(ErrorCode.NO_SUPPORT,
                        "virDomainQemuMonitorCommand needs %s (install the Debian package libvirt0)", QEMU_LIBRARY);
            }
            return qemu0;
        }

        Pointer auth() {
            lib();
            return auth0;
        }
    }
}
