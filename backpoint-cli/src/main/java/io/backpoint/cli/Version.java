package io.backpoint.cli;

/** The release this build is. */
final class Version {
    static final String STRING = "0.1.0";

    private Version() {}
}
