package io.chronoperf.cache.internal;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.time.Instant;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.smile.SmileMapper;

/**
 * The L2 value format: one header byte naming the codec, the entry's expiry (epoch milliseconds,
 * 8 bytes) so that an instance filling its L1 from Redis knows the remaining lifetime without a
 * PTTL round trip, the length of the encoded value (4 bytes), then the value: Smile (Jackson's
 * binary JSON), zstd-compressed above {@link #COMPRESS_ABOVE} bytes in compressed namespaces.
 * The header byte lets the format change safely: an unknown codec is a miss, never a crash, and
 * the JSON codecs written before are still read.
 *
 * <p>Why Smile with numeric dates: decoding a 20 KB users page as JSON with ISO-8601 dates took
 * about 250 us and 400 KB of garbage (an ISO date costs a microsecond to parse), most of an L2 hit;
 * as Smile with dates as seconds-and-nanoseconds it takes about 65 us and a quarter of the garbage,
 * and is a third of the size before compression (JMH: {@code DecodeBenchmark}, docs/benchmarks.md).
 * Every digit of a date is kept.
 *
 * <p>Thread-safe (Jackson's mappers and zstd's static functions are).
 */
public final class Codec {
    public static final byte JSON = 1;
    public static final byte ZSTD_JSON = 2;
    public static final byte SMILE = 3;
    public static final byte ZSTD_SMILE = 4;
    /** Below this, zstd's frame overhead eats most of the gain. */
    public static final int COMPRESS_ABOVE = 256;
    /** zstd level 3: the library's default, a good ratio at several hundred MB/s. */
    private static final int LEVEL = 3;

    private static final int HEADER = 1 + 8 + 4;

    private final ObjectMapper smile = SmileMapper.builder()
            .findAndAddModules()
            .enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DateTimeFeature.WRITE_DATE_TIMESTAMPS_AS_NANOSECONDS)
            .addModule(new SimpleModule("chrono-perf-instants")
                    .addSerializer(Instant.class, new EpochNanosWriter())
                    .addDeserializer(Instant.class, new EpochNanosReader()))
            .build();
    /** Reads the entries of the JSON format written before. */
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules().build();

    /**
     * An Instant as one long, its nanoseconds since the epoch (1677 to 2262), and as ISO-8601 text
     * outside that range: Jackson's numeric form is a decimal, which Smile stores as a BigDecimal
     * whose decoding allocated most of a page's garbage.
     */
    static final class EpochNanosWriter extends ValueSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
            long seconds = value.getEpochSecond();
            if (seconds > -9_223_372_036L && seconds < 9_223_372_036L) {
                gen.writeNumber(seconds * 1_000_000_000L + value.getNano());
            } else {
                gen.writeString(value.toString());
            }
        }
    }

    /** Reads what {@link EpochNanosWriter} writes. */
    static final class EpochNanosReader extends ValueDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.isExpectedNumberIntToken()) {
                return Instant.ofEpochSecond(0, p.getLongValue());
            }
            return Instant.parse(p.getString());
        }
    }

    /** An encoded value with the sizes the statistics report: the value encoded, and stored (compressed or not). */
    public record Encoded(byte[] bytes, int encodedBytes) {}

    public JavaType type(Object classOrTypeReference) {
        return classOrTypeReference instanceof Class<?> c
                ? smile.constructType(c)
                : smile.constructType((TypeReference<?>) classOrTypeReference);
    }

    public Encoded encode(Object value, long expiresAtMillis, boolean compress) {
        byte[] encoded = smile.writeValueAsBytes(value);
        byte codec = SMILE;
        byte[] payload = encoded;
        if (compress && encoded.length > COMPRESS_ABOVE) {
            byte[] packed = Zstd.compress(encoded, LEVEL);
            if (packed.length < encoded.length) {
                codec = ZSTD_SMILE;
                payload = packed;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER + payload.length);
        out.put(codec).putLong(expiresAtMillis).putInt(encoded.length).put(payload);
        return new Encoded(out.array(), encoded.length);
    }

    /** A decoded value with its expiry; null when the bytes are not in a format this version reads. */
    public record Decoded(Object value, long expiresAtMillis) {}

    public Decoded decode(byte[] bytes, JavaType type) {
        if (bytes == null || bytes.length < HEADER) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte codec = in.get();
        long expiresAt = in.getLong();
        int length = in.getInt();
        ObjectMapper mapper = switch (codec) {
            case SMILE, ZSTD_SMILE -> smile;
            case JSON, ZSTD_JSON -> json;
            default -> null;
        };
        if (mapper == null || length < 0) {
            return null;
        }
        if (codec == SMILE || codec == JSON) { // read in place, no copy of the payload
            return new Decoded(mapper.readValue(bytes, HEADER, bytes.length - HEADER, type), expiresAt);
        }
        byte[] plain = new byte[length];
        long n = Zstd.decompressByteArray(plain, 0, length, bytes, HEADER, bytes.length - HEADER);
        if (Zstd.isError(n) || n != length) {
            throw new IllegalStateException(
                    "corrupt zstd frame: " + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes"));
        }
        return new Decoded(mapper.readValue(plain, type), expiresAt);
    }
}
