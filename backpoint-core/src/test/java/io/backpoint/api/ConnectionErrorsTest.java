package io.backpoint.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import org.junit.jupiter.api.Test;

/** Connection errors say each thing once and say what to do (issue 8, items 13, 21 and 23). */
class ConnectionErrorsTest {
    private static BackpointException failure(String uri) {
        try {
            Connection.open(uri).close();
        } catch (BackpointException e) {
            return e;
        }
        throw new AssertionError("opened " + uri);
    }

    @Test
    void anUnknownSchemeIsSaidOnceAsLibvirtSaysIt() {
        BackpointException e = failure("foo:///x");
        assertThat(e.code()).isEqualTo(ErrorCode.NO_CONNECT);
        assertThat(e.getMessage()).isEqualTo("no connection driver available for foo:///x");
    }

    @Test
    void withoutTheQemuModuleTheErrorNamesIt() {
        // backpoint-core's tests run without backpoint-qemu on the class path, as a program
        // that depends on backpoint-core alone does.
        BackpointException e = failure("qemu:///system");
        assertThat(e.code()).isEqualTo(ErrorCode.NO_CONNECT);
        assertThat(e.getMessage()).startsWith("no connection driver available for qemu:///system: ")
                .contains("backpoint-qemu");
        assertThat(e.getMessage().split("no connection driver available", -1)).hasSize(2);
    }

    @Test
    void aMalformedUriIsAClearErrorWithoutJavaText() {
        BackpointException e = failure("test:///def%zzault");
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
        assertThat(e.getMessage()).isEqualTo("invalid argument: invalid connection URI 'test:///def%zzault': malformed escape pair at character 12");
        assertThatThrownBy(() -> Connection.open(null)).isInstanceOf(BackpointException.class).hasMessageContaining("no connection URI");
    }

    @Test
    void theTestDriverRefusesAHost() {
        assertThat(failure("test://otherhost/default").code()).isEqualTo(ErrorCode.NO_CONNECT);
    }
}
