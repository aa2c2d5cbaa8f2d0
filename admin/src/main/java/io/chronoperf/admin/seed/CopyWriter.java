package io.chronoperf.admin.seed;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams rows into one {@code COPY ... FROM STDIN (FORMAT binary)}, encoding each value straight
 * into a byte buffer. Binary rather than text because the server, not this generator, is the
 * bottleneck of a bulk load: it skips parsing numbers, timestamps and addresses from text, which
 * takes a fifth of its time per row. Each method writes the binary form of one column type, so
 * the calls must follow the column list and its types exactly (PostgreSQL checks the lengths).
 *
 * <p>Not thread-safe: one writer per COPY, used by one thread.
 */
final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 1 << 18;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** PostgreSQL timestamps count microseconds from 2000-01-01 00:00 UTC. */
    private static final long PG_EPOCH_MILLIS = 946_684_800_000L;
    /** PGSQL_AF_INET in PostgreSQL's inet send/receive format. */
    private static final byte AF_INET = 2;

    private static final byte JSONB_VERSION = 1;

    private final CopyIn copy;
    private final byte[] buf = new byte[FLUSH_AT + (1 << 16)];
    private int pos;
    private int rowStart = -1;
    private short fields;
    private long rows;

    CopyWriter(CopyManager manager, String table, String columns) throws SQLException {
        this.copy = manager.copyIn("COPY " + table + " (" + columns + ") FROM STDIN WITH (FORMAT binary, FREEZE)");
        System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
        pos = SIGNATURE.length;
        int32(0); // flags
        int32(0); // header extension length
    }

    CopyWriter int8(long v) {
        field(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    CopyWriter int4(int v) {
        field(4);
        int32(v);
        return this;
    }

    CopyWriter int2(int v) {
        field(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    CopyWriter bool(boolean v) {
        field(1);
        buf[pos++] = (byte) (v ? 1 : 0);
        return this;
    }

    CopyWriter nul() {
        startField();
        int32(-1);
        return this;
    }

    /** text, varchar or char(n): UTF-8 bytes. */
    CopyWriter text(String s) {
        if (s == null) {
            return nul();
        }
        startField();
        int lengthAt = pos;
        pos += 4;
        utf8(s);
        patchLength(lengthAt);
        return this;
    }

    /** jsonb: a version byte, then the JSON text (the server still parses that). */
    CopyWriter jsonb(String json) {
        startField();
        int lengthAt = pos;
        pos += 4;
        buf[pos++] = JSONB_VERSION;
        utf8(json);
        patchLength(lengthAt);
        return this;
    }

    /** timestamptz from epoch milliseconds. */
    CopyWriter timestamp(long epochMillis) {
        return int8((epochMillis - PG_EPOCH_MILLIS) * 1000);
    }

    /** inet: an IPv4 address from its 32-bit value. */
    CopyWriter ipv4(int address) {
        field(8);
        buf[pos++] = AF_INET;
        buf[pos++] = 32; // bits
        buf[pos++] = 0; // not cidr
        buf[pos++] = 4; // address length
        int32(address);
        return this;
    }

    void endRow() throws SQLException {
        buf[rowStart] = (byte) (fields >>> 8);
        buf[rowStart + 1] = (byte) fields;
        rowStart = -1;
        rows++;
        if (pos >= FLUSH_AT) {
            flush();
        }
    }

    long rows() {
        return rows;
    }

    /** Ends the COPY; returns the rows the server counted. */
    long finish() throws SQLException {
        buf[pos++] = (byte) 0xff; // file trailer: a field count of -1
        buf[pos++] = (byte) 0xff;
        flush();
        return copy.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    private void flush() throws SQLException {
        copy.writeToCopy(buf, 0, pos);
        pos = 0;
    }

    private void startField() {
        if (rowStart < 0) {
            if (pos + 4096 > buf.length) {
                throw new IllegalStateException("row larger than the COPY buffer");
            }
            rowStart = pos;
            pos += 2; // field count, patched by endRow
            fields = 0;
        }
        fields++;
    }

    private void field(int length) {
        startField();
        int32(length);
    }

    private void int32(int v) {
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void patchLength(int lengthAt) {
        int length = pos - lengthAt - 4;
        buf[lengthAt] = (byte) (length >>> 24);
        buf[lengthAt + 1] = (byte) (length >>> 16);
        buf[lengthAt + 2] = (byte) (length >>> 8);
        buf[lengthAt + 3] = (byte) length;
    }

    private void utf8(String s) {
        int n = s.length();
        if (pos + n * 3 > buf.length) {
            throw new IllegalStateException("value larger than the COPY buffer");
        }
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x80) { // rare in generated data: encode the rest properly
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(rest, 0, buf, pos, rest.length);
                pos += rest.length;
                return;
            }
            buf[pos++] = (byte) ch;
        }
    }
}
