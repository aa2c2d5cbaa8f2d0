package io.chronoperf.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

class CodecTest {
    record Row(long id, String email, Instant createdAt, Duration age, Long approvedBy) {}

    private final Codec codec = new Codec();
    private final JavaType rows = codec.type(new tools.jackson.core.type.TypeReference<List<Row>>() {});

    private static List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // microseconds, as PostgreSQL gives them, and nanoseconds: every digit must come back
            out.add(new Row(
                    i,
                    "user" + i + "@example.com",
                    Instant.parse("2026-12-02T10:15:30.123456Z").plusNanos(i * 7L),
                    Duration.ofMillis(1500 + i),
                    i % 2 == 0 ? null : 1L));
        }
        return out;
    }

    @Test
    void values_come_back_equal_to_the_last_nanosecond_compressed_or_not() {
        for (boolean compress : new boolean[] {true, false}) {
            Codec.Encoded e = codec.encode(rows(), 1234L, compress);
            Codec.Decoded d = codec.decode(e.bytes(), rows);

            assertThat(d.value()).isEqualTo(rows());
            assertThat(d.expiresAtMillis()).isEqualTo(1234L);
            assertThat(e.bytes()[0]).isEqualTo(compress ? Codec.ZSTD_SMILE : Codec.SMILE);
        }
    }

    @Test
    void instants_outside_the_range_of_epoch_nanoseconds_come_back_too() {
        List<Row> far = List.of(
                new Row(1, "a", Instant.parse("2500-01-01T00:00:00.000000001Z"), Duration.ZERO, null),
                new Row(2, "b", Instant.parse("1600-01-01T00:00:00Z"), Duration.ZERO, null),
                new Row(3, "c", Instant.EPOCH.minusNanos(1), Duration.ZERO, null));

        assertThat(codec.decode(codec.encode(far, 0, false).bytes(), rows).value())
                .isEqualTo(far);
    }

    @Test
    void entries_written_as_json_before_still_read_and_an_unknown_codec_is_a_miss() {
        byte[] json = JsonMapper.builder().findAndAddModules().build().writeValueAsBytes(rows());
        byte[] old = ByteBuffer.allocate(13 + json.length)
                .put(Codec.JSON)
                .putLong(99L)
                .putInt(json.length)
                .put(json)
                .array();

        assertThat(codec.decode(old, rows).value()).isEqualTo(rows());
        old[0] = 42;
        assertThat(codec.decode(old, rows)).isNull();
        assertThat(codec.decode(new byte[5], rows)).isNull();
    }

    @Test
    void the_stored_form_is_smaller_than_the_json_it_replaces() {
        byte[] json = JsonMapper.builder().findAndAddModules().build().writeValueAsBytes(rows());

        assertThat(codec.encode(rows(), 0, false).encodedBytes()).isLessThan(json.length);
        assertThat(codec.encode(rows(), 0, true).bytes().length).isLessThan(json.length / 3);
    }
}
