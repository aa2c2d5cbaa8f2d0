package io.chronoperf.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The lock on a chrono-perf home while a process runs its embedded servers: a second process on
 * the same home is told so in one line, with the pid of the first. The operating system releases
 * it when the process dies, so a crash leaves nothing to clean up.
 */
final class HomeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static HomeLock acquire(Path home) {
        Path file = home.resolve("chrono-perf.lock");
        try {
            Files.createDirectories(home);
            try {
                Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException | IOException notPosixOrNotOurs) {
                // a home we do not own keeps its permissions
            }
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new ChronoPerfException(
                        ErrorCode.SERVICE_UNAVAILABLE,
                        "The home " + home + " is in use by another"
                                + " chrono-perf process" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                                + ": stop it, or set "
                                + Setting.HOME.env() + " to another directory.");
            }
            channel.truncate(0);
            channel.write(
                    java.nio.ByteBuffer.wrap(
                            Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
                    0);
            return new HomeLock(channel, lock);
        } catch (IOException e) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "Cannot use the home " + home + " (" + e.getMessage() + "): set " + Setting.HOME.env()
                            + " to a directory you may write.",
                    e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
