package io.chronoperf.jmh;

import io.chronoperf.admin.repository.Bounds;
import io.chronoperf.admin.repository.User;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.smile.SmileMapper;
import tools.jackson.module.blackbird.BlackbirdModule;

/**
 * Decoding a 20 KB users page, no network: the candidates for the L2 value format. JSON with
 * ISO-8601 dates (the format before), JSON with numeric dates, Smile (Jackson's binary JSON) with
 * numeric dates, each with and without Blackbird (generated accessors instead of reflection).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {
    private ObjectMapper jsonIso;
    private ObjectMapper jsonNumeric;
    private ObjectMapper smileNumeric;
    private ObjectMapper smileBlackbird;
    private byte[] isoBytes;
    private byte[] numericBytes;
    private byte[] smileBytes;
    private JavaType type;

    @Setup(Level.Trial)
    public void setUp() {
        Bounds.Page<User> page = Payloads.usersPage(1);
        jsonIso = JsonMapper.builder().findAndAddModules().build();
        jsonNumeric = JsonMapper.builder()
                .findAndAddModules()
                .enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        smileNumeric = SmileMapper.builder()
                .findAndAddModules()
                .enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        smileBlackbird = SmileMapper.builder()
                .findAndAddModules()
                .addModule(new BlackbirdModule())
                .enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        isoBytes = jsonIso.writeValueAsBytes(page);
        numericBytes = jsonNumeric.writeValueAsBytes(page);
        smileBytes = smileNumeric.writeValueAsBytes(page);
        type = jsonIso.getTypeFactory().constructType(L1HitBenchmark.PAGE);
        System.out.printf(
                "%nsizes: JSON ISO %d B, JSON numeric %d B, Smile numeric %d B%n",
                isoBytes.length, numericBytes.length, smileBytes.length);
    }

    @Benchmark
    public Object jsonIsoDates() {
        return jsonIso.readValue(isoBytes, type);
    }

    @Benchmark
    public Object jsonNumericDates() {
        return jsonNumeric.readValue(numericBytes, type);
    }

    @Benchmark
    public Object smileNumericDates() {
        return smileNumeric.readValue(smileBytes, type);
    }

    @Benchmark
    public Object smileNumericDatesBlackbird() {
        return smileBlackbird.readValue(smileBytes, type);
    }
}
