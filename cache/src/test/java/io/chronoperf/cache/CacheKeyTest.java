package io.chronoperf.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheKeyTest {
    @Test
    void parameters_are_canonical_whatever_their_order() {
        CacheKey a = CacheKey.builder("admin:", "users", "list")
                .param("status", "pending")
                .param("limit", 50)
                .build();
        CacheKey b = CacheKey.builder("admin:", "users", "list")
                .param("limit", 50)
                .param("status", "pending")
                .build();

        assertThat(a).isEqualTo(b);
        assertThat(a.value()).isEqualTo("admin:users:list:limit=i:50,status=s:pending");
    }

    @Test
    void values_are_typed_so_a_number_and_a_string_differ() {
        assertThat(CacheKey.builder("admin:", "users", "get").param("id", 5).build())
                .isNotEqualTo(CacheKey.builder("admin:", "users", "get")
                        .param("id", "5")
                        .build());
    }

    @Test
    void caller_input_cannot_escape_its_namespace() {
        CacheKey k = CacheKey.builder("admin:", "users", "search")
                .param("q", "x:*\nadmin:security:*")
                .build();

        assertThat(k.value()).startsWith("admin:users:search:q=s:");
        assertThat(k.value().substring("admin:users:search:".length())).doesNotContain(":*", "*", "\n");
        assertThatThrownBy(() -> CacheKey.builder("admin:", "users:evil", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheKey.builder("admin:", "users", "x*"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void long_parameter_strings_are_hashed() {
        CacheKey k = CacheKey.builder("admin:", "audit", "list")
                .param("q", "y".repeat(500))
                .build();

        assertThat(k.value()).matches("admin:audit:list:sha256-[0-9a-f]{64}");
    }

    @Test
    void clear_patterns_must_stay_under_admin() {
        try (AdminCache cache = AdminCache.builder()
                .keyPrefix("admin:")
                .namespaces(java.util.List.of(new Namespace("users", java.time.Duration.ofMinutes(5), true, false)))
                .build()) {
            cache.checkPattern("admin:users:*");
            assertThatThrownBy(() -> cache.checkPattern("*")).hasMessageContaining("admin:");
            assertThatThrownBy(() -> cache.checkPattern("session:*")).hasMessageContaining("admin:");
            assertThatThrownBy(() -> cache.checkPattern("admin:users:[a-z]*"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void the_key_prefix_and_the_namespaces_are_the_callers() {
        Namespace users = new Namespace("users", java.time.Duration.ofMinutes(5), true, false);
        Namespace audit = new Namespace("audit", java.time.Duration.ofMinutes(15), true, false);
        try (AdminCache cache = AdminCache.builder()
                .keyPrefix("shop:")
                .namespaces(java.util.List.of(users))
                .build()) {
            assertThat(cache.key(users, "list").param("limit", 5).build().value())
                    .isEqualTo("shop:users:list:limit=i:5");
            assertThatThrownBy(() -> cache.key(audit, "list")).hasMessageContaining("unknown namespace 'audit'");
            assertThatThrownBy(() -> cache.require(users, audit))
                    .hasMessage("cache namespace(s) audit used but not configured; configured: users");
        }
        assertThatThrownBy(() -> AdminCache.builder()
                        .namespaces(java.util.List.of(users))
                        .build())
                .hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> AdminCache.builder().keyPrefix("shop:").build())
                .hasMessageContaining("namespace");
        assertThatThrownBy(() -> AdminCache.builder().keyPrefix("Shop*")).hasMessageContaining("key prefix");
    }
}
