package io.backpoint.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test that starts a real QEMU. {@code mvn -Pfast verify} leaves these out for a quick
 * loop; a plain {@code mvn verify} (and CI) runs them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(QemuTest.TAG)
public @interface QemuTest {
    String TAG = "qemu";
}
