package io.chronoperf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSecretTest {
    @TempDir
    Path home;

    @Test
    void generated_once_kept_private_and_reused() throws Exception {
        Settings settings = Settings.from(Map.of("CHRONO_PERF_HOME", home.toString()), Map.of());

        byte[] first = TokenSecret.resolve(settings);
        byte[] second = TokenSecret.resolve(settings);

        assertThat(first).hasSizeGreaterThanOrEqualTo(TokenSecret.MIN_BYTES).isEqualTo(second);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("token-secret"))))
                .isEqualTo("rw-------");
    }

    @Test
    void a_configured_secret_wins_and_must_be_long_enough() {
        Settings ok = Settings.from(
                Map.of("CHRONO_PERF_TOKEN_SECRET", "x".repeat(40), "CHRONO_PERF_HOME", home.toString()), Map.of());
        Settings shortOne = Settings.from(Map.of("CHRONO_PERF_TOKEN_SECRET", "short"), Map.of());

        assertThat(new String(TokenSecret.resolve(ok))).isEqualTo("x".repeat(40));
        assertThat(home.resolve("token-secret")).doesNotExist();
        assertThatThrownBy(() -> TokenSecret.resolve(shortOne)).hasMessageContaining("at least 32");
    }
}
