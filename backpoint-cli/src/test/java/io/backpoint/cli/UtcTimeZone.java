package io.backpoint.cli;

import java.util.TimeZone;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with the default time zone set to UTC, as virsh's transcripts were recorded,
 * and restores the previous zone afterwards.
 */
final class UtcTimeZone implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(UtcTimeZone.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("saved", TimeZone.getDefault());
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TimeZone.setDefault(context.getStore(NS).get("saved", TimeZone.class));
    }
}
