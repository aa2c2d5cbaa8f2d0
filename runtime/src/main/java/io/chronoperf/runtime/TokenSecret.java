package io.chronoperf.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The HS256 secret that signs admin API tokens: {@code CHRONO_PERF_TOKEN_SECRET} when set,
 * otherwise a random 256-bit secret generated once and kept (mode 600) in
 * {@code CHRONO_PERF_HOME/token-secret}, so that tokens survive restarts and the {@code token}
 * command signs with the same key as {@code serve}.
 */
public final class TokenSecret {
    /** HS256 needs a key of at least 256 bits (RFC 7518, section 3.2). */
    public static final int MIN_BYTES = 32;

    private TokenSecret() {}

    public static byte[] resolve(Settings settings) {
        var configured = settings.get(Setting.TOKEN_SECRET);
        if (configured.isPresent()) {
            byte[] bytes = configured.get().getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_BYTES) {
                throw new ChronoPerfException(
                        ErrorCode.CONFIGURATION,
                        Setting.TOKEN_SECRET.env() + " is "
                                + bytes.length + " bytes long; HS256 needs at least " + MIN_BYTES
                                + ". Generate one with: openssl rand -base64 48");
            }
            return bytes;
        }
        return fromHome(settings.home());
    }

    private static synchronized byte[] fromHome(Path home) {
        Path file = home.resolve("token-secret");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(home);
                byte[] random = new byte[48];
                new SecureRandom().nextBytes(random);
                Path tmp = Files.createTempFile(home, "token-secret", ".tmp");
                trySetOwnerOnly(tmp);
                Files.writeString(tmp, Base64.getEncoder().encodeToString(random));
                try {
                    Files.move(tmp, file); // atomic enough: a concurrent first start keeps one of the two
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    Files.deleteIfExists(tmp);
                }
            }
            byte[] bytes = Files.readString(file).trim().getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_BYTES) {
                throw new ChronoPerfException(
                        ErrorCode.CONFIGURATION,
                        file + " holds a secret shorter than " + MIN_BYTES
                                + " bytes. Delete the file to have a new one generated (existing tokens stop "
                                + "working).");
            }
            return bytes;
        } catch (IOException e) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "Cannot read or create the token secret in " + file + ": " + e.getMessage() + ". Set "
                            + Setting.TOKEN_SECRET.env() + " or " + Setting.HOME.env() + ".",
                    e);
        }
    }

    private static void trySetOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the home directory's ACL applies.
        }
    }
}
