package io.backpoint.vocab;

import io.backpoint.error.BackpointException;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.ToIntFunction;

/** Conversion between libvirt's integer flag masks and enum sets, at the API edge only. */
final class Flags {
    private Flags() {}

    /** The set for a mask; unknown bits are refused as libvirt's virCheckFlags does. */
    static <E extends Enum<E>> EnumSet<E> fromMask(Class<E> type, int mask, ToIntFunction<E> bit, String function) {
        EnumSet<E> set = EnumSet.noneOf(type);
        int known = 0;
        for (E e : type.getEnumConstants()) {
            int b = bit.applyAsInt(e);
            known |= b;
            if ((mask & b) != 0) {
                set.add(e);
            }
        }
        if ((mask & ~known) != 0) {
            throw unsupported(mask & ~known, function);
        }
        return set;
    }

    static <E extends Enum<E>> int toMask(Set<E> flags, ToIntFunction<E> bit) {
        int mask = 0;
        for (E e : flags) {
            mask |= bit.applyAsInt(e);
        }
        return mask;
    }

    static BackpointException unsupported(int bits, String function) {
        return BackpointException.invalidArg("unsupported flags (0x%x) in function %s", bits, function);
    }
}
