package io.chronoperf.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The seed's formula against hand-computed cases. */
class HealthScoreTest {
    private static HealthScore.Inputs inputs(long total, long slow, long critical, Double hit, double usage) {
        return new HealthScore.Inputs(
                true, total, slow, critical, hit, "over the last 30 s", usage, 0, 0, 0, 0, 0, 0, false);
    }

    @Test
    void a_quiet_database_scores_100() {
        HealthScore.Result r = HealthScore.compute(inputs(1000, 0, 0, 99.5, 0.1));

        assertThat(r.score()).isEqualTo(100);
        assertThat(r.status()).isEqualTo("healthy");
    }

    @Test
    void the_seed_terms_add_up_as_written() {
        // slow_ratio = (30 + 10) / 200 = 0.2 -> -20; hit 80% -> -(90 - 80) * 0.5 = -5; usage 0.85 -> -20
        HealthScore.Result r = HealthScore.compute(inputs(200, 30, 10, 80.0, 0.85));

        assertThat(r.score()).isEqualTo(55.0);
        assertThat(r.status()).isEqualTo("warning");
        assertThat(r.components())
                .extracting(HealthScore.Component::name)
                .containsExactly("slow_queries", "cache_hit_ratio", "connection_usage");
    }

    @Test
    void each_seed_term_is_capped() {
        // slow_ratio 1.0 -> min(50, 100) = 50; hit 10% -> min(30, 40) = 30; usage -> 20: 100 - 100 = 0
        HealthScore.Result r = HealthScore.compute(inputs(10, 10, 0, 10.0, 0.99));

        assertThat(r.score()).isZero();
        assertThat(r.status()).isEqualTo("critical");
        assertThat(r.components()).extracting(HealthScore.Component::penalty).containsExactly(50.0, 30.0, 20.0);
    }

    @Test
    void boundaries_are_exclusive_as_in_the_seed() {
        // exactly 90% hit ratio and exactly 0.8 usage cost nothing
        assertThat(HealthScore.compute(inputs(100, 0, 0, 90.0, 0.8)).score()).isEqualTo(100);
        assertThat(HealthScore.compute(inputs(0, 0, 0, null, 0)).score()).isEqualTo(100);
    }

    @Test
    void other_factors_are_capped_components_with_reasons() {
        HealthScore.Result r = HealthScore.compute(
                new HealthScore.Inputs(true, 100, 0, 0, 99.0, "over the last 30 s", 0.1, 3, 1, 0, 10, 1, 70, true));

        // deadlocks min(10, 15) = 10; long running 2; blocked min(15, 30) = 15; invalid 5; xid (70 - 50) * 0.5 = 10;
        // redis 10
        assertThat(r.score()).isEqualTo(48.0);
        assertThat(r.status()).isEqualTo("critical");
        assertThat(r.components()).allSatisfy(c -> assertThat(c.reason()).isNotBlank());
    }

    @Test
    void without_pg_stat_statements_the_score_says_it_is_partial_instead_of_reading_a_clean_100() {
        HealthScore.Result r = HealthScore.compute(
                new HealthScore.Inputs(false, 0, 0, 0, 99.9, "over the last 30 s", 0.1, 0, 0, 0, 0, 0, 0, false));

        assertThat(r.partial()).isTrue();
        assertThat(r.notMeasured())
                .singleElement()
                .asString()
                .startsWith("slow_queries")
                .contains("pg_stat_statements");
        assertThat(HealthScore.compute(inputs(1000, 0, 0, 99.5, 0.1)).partial()).isFalse();
    }

    @Test
    void the_cache_hit_term_names_the_window_it_read() {
        HealthScore.Result r = HealthScore.compute(inputs(100, 0, 0, 73.9, 0.1));

        assertThat(r.cacheWindow()).isEqualTo("over the last 30 s");
        assertThat(r.components())
                .filteredOn(c -> c.name().equals("cache_hit_ratio"))
                .singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("73.9%").contains("over the last 30 s"));
    }
}
