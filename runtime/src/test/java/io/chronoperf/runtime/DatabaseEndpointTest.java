package io.chronoperf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseEndpointTest {
    @Test
    void libpq_urls_become_jdbc_urls_with_their_credentials() {
        DatabaseEndpoint e =
                DatabaseEndpoint.external("postgres://app:s%40cret@db.internal:6543/admin?sslmode=require", null, null);

        assertThat(e.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/admin?sslmode=require");
        assertThat(e.user()).isEqualTo("app");
        assertThat(e.password()).isEqualTo("s@cret");
        assertThat(e.toString()).doesNotContain("s@cret");
    }

    @Test
    void explicit_user_wins_over_the_url() {
        DatabaseEndpoint e = DatabaseEndpoint.external("postgresql://app@db/admin", "ops", "pw");

        assertThat(e.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/admin");
        assertThat(e.user()).isEqualTo("ops");
    }

    @Test
    void another_database_on_the_same_server_keeps_the_options() {
        DatabaseEndpoint e = DatabaseEndpoint.external(
                "jdbc:postgresql://127.0.0.1:5432/postgres?connectTimeout=2", "postgres", null);

        assertThat(e.withDatabase("other").jdbcUrl())
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/other?connectTimeout=2");
        assertThat(e.withDatabase("other").databaseName()).isEqualTo("other");
    }

    @Test
    void a_non_postgres_url_is_refused_with_an_example() {
        assertThatThrownBy(() -> DatabaseEndpoint.external("mysql://db/admin", null, null))
                .isInstanceOf(ChronoPerfException.class)
                .hasMessageContaining("jdbc:postgresql://");
    }

    @Test
    void an_unreachable_server_says_what_to_check() {
        DatabaseEndpoint e =
                DatabaseEndpoint.external("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1", "x", null);

        assertThatThrownBy(e::connect)
                .isInstanceOf(ChronoPerfException.class)
                .hasMessageContaining("CHRONO_PERF_DB_URL")
                .satisfies(t -> assertThat(((ChronoPerfException) t).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
    }
}
