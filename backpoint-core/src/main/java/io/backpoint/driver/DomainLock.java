package io.backpoint.driver;

/** An exclusive per-domain lock, released by close. */
public interface DomainLock extends AutoCloseable {
    @Override
    void close();
}
