package io.chronoperf.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheKeyTest {
    @Test
    void parameters_are_canonical_whatever_their_order() {
        CacheKey a = CacheKey.of("users", "list").param("status", "pending").param("limit", 50).build();
        CacheKey b = CacheKey.of("users", "list").param("limit", 50).param("status", "pending").build();

        assertThat(a).isEqualTo(b);
        assertThat(a.value()).isEqualTo("admin:users:list:limit=i:50,status=s:pending");
    }

    @Test
    void values_are_typed_so_a_number_and_a_string_differ() {
        assertThat(CacheKey.of("users", "get").param("id", 5).build())
                .isNotEqualTo(CacheKey.of("users", "get").param("id", "5").build());
    }

    @Test
    void caller_input_cannot_escape_its_namespace() {
        CacheKey k = CacheKey.of("users", "search").param("q", "x:*\nadmin:security:*").build();

        assertThat(k.value()).startsWith("admin:users:search:q=s:");
        assertThat(k.value().substring("admin:users:search:".length())).doesNotContain(":*", "*", "\n");
        assertThatThrownBy(() -> CacheKey.of("users:evil", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheKey.of("users", "x*")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void long_parameter_strings_are_hashed() {
        CacheKey k = CacheKey.of("audit", "list").param("q", "y".repeat(500)).build();

        assertThat(k.value()).matches("admin:audit:list:sha256-[0-9a-f]{64}");
    }

    @Test
    void clear_patterns_must_stay_under_admin() {
        AdminCache.checkPattern("admin:users:*");
        assertThatThrownBy(() -> AdminCache.checkPattern("*")).hasMessageContaining("admin:");
        assertThatThrownBy(() -> AdminCache.checkPattern("session:*")).hasMessageContaining("admin:");
        assertThatThrownBy(() -> AdminCache.checkPattern("admin:users:[a-z]*")).isInstanceOf(IllegalArgumentException.class);
    }
}
