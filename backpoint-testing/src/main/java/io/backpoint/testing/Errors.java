package io.backpoint.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * The one assertion for Backpoint's typed errors, for every module's tests. This module sits below
 * core, so the error is matched by its {@code code()} property rather than by its class.
 */
public final class Errors {
    private Errors() {}

    /** {@code call} throws an error whose {@code code()} is {@code code} and whose message contains every part. */
    public static void assertError(ThrowingCallable call, Object code, String... parts) {
        assertThatThrownBy(call).isInstanceOf(RuntimeException.class).hasFieldOrPropertyWithValue("code", code)
                .satisfies(e -> {
                    for (String part : parts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }
}
