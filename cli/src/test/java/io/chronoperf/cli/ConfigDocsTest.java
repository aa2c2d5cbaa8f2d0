package io.chronoperf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration tables of the README and docs/configuration.md are the enum's, as printed now. */
class ConfigDocsTest {
    @Test
    void the_documented_tables_are_the_one_list_of_settings() throws Exception {
        String table = ConfigCommand.markdown();
        assertThat(Files.readString(Path.of("..", "README.md"))).contains(table);
        assertThat(Files.readString(Path.of("..", "docs", "configuration.md"))).contains(table);
    }
}
