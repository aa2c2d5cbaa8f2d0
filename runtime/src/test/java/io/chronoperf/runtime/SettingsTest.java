package io.chronoperf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void a_flag_wins_over_the_variable_which_wins_over_the_default() {
        Map<String, String> env = Map.of("CHRONO_PERF_PORT", "9000", "CHRONO_PERF_DB_URL", "jdbc:postgresql://env/db");

        Settings settings = Settings.from(env, Map.of(Setting.DB_URL, "jdbc:postgresql://flag/db"));

        assertThat(settings.get(Setting.DB_URL)).contains("jdbc:postgresql://flag/db");
        assertThat(settings.port()).isEqualTo(9000);
        assertThat(Settings.from(Map.of(), Map.of()).port()).isEqualTo(8080);
        assertThat(Settings.from(Map.of(), Map.of()).get(Setting.DB_URL)).isEmpty();
    }

    @Test
    void home_expands_the_tilde() {
        Settings settings = Settings.from(Map.of("CHRONO_PERF_HOME", "~/cp-data"), Map.of());

        assertThat(settings.home()).isEqualTo(Path.of(System.getProperty("user.home"), "cp-data"));
    }

    @Test
    void a_bad_port_names_the_variable() {
        assertThatThrownBy(() -> Settings.from(Map.of("CHRONO_PERF_PORT", "http"), Map.of())
                        .port())
                .isInstanceOf(ChronoPerfException.class)
                .hasMessageContaining("CHRONO_PERF_PORT");
    }

    @Test
    void every_setting_has_a_variable_a_flag_a_property_and_a_description() {
        for (Setting s : Setting.values()) {
            assertThat(s.env()).startsWith("CHRONO_PERF_");
            assertThat(s.flag()).startsWith("--");
            assertThat(s.property()).startsWith("chrono-perf.");
            assertThat(s.description()).isNotBlank();
        }
    }
}
