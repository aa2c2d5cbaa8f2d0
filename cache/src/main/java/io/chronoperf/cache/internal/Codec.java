package io.chronoperf.cache.internal;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/**
 * The L2 value format: one header byte naming the codec, the entry's expiry (epoch milliseconds,
 * 8 bytes) so that an instance filling its L1 from Redis knows the remaining lifetime without a
 * PTTL round trip, then the payload: JSON, or zstd-compressed JSON. The header byte lets the
 * format change safely: an unknown codec is a miss, never a crash.
 *
 * <p>Thread-safe (Jackson's ObjectMapper and zstd's static functions are).
 */
public final class Codec {
    public static final byte JSON = 1;
    public static final byte ZSTD_JSON = 2;
    /** Below this, zstd's frame overhead eats most of the gain. */
    public static final int COMPRESS_ABOVE = 256;
    /** zstd level 3: the library's default, a good ratio at several hundred MB/s. */
    private static final int LEVEL = 3;

    private final ObjectMapper mapper;

    public Codec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** An encoded value with the sizes the statistics report. */
    public record Encoded(byte[] bytes, int jsonBytes) {
    }

    public Encoded encode(Object value, long expiresAtMillis, boolean compress) {
        byte[] json = mapper.writeValueAsBytes(value);
        byte codec = JSON;
        byte[] payload = json;
        if (compress && json.length > COMPRESS_ABOVE) {
            byte[] packed = Zstd.compress(json, LEVEL);
            if (packed.length < json.length) {
                codec = ZSTD_JSON;
                payload = packed;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 4 + payload.length);
        out.put(codec).putLong(expiresAtMillis).putInt(json.length).put(payload);
        return new Encoded(out.array(), json.length);
    }

    /** A decoded value with its expiry; null when the bytes are not in a format this version reads. */
    public record Decoded(Object value, long expiresAtMillis) {
    }

    public Decoded decode(byte[] bytes, JavaType type) {
        if (bytes == null || bytes.length < 13) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte codec = in.get();
        long expiresAt = in.getLong();
        int jsonLength = in.getInt();
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        byte[] json;
        if (codec == JSON) {
            json = payload;
        } else if (codec == ZSTD_JSON) {
            json = Zstd.decompress(payload, jsonLength);
        } else {
            return null;
        }
        return new Decoded(mapper.readValue(json, type), expiresAt);
    }
}
