package io.chronoperf.admin.seed;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams rows into one {@code COPY ... FROM STDIN} in PostgreSQL's text format, formatting
 * numbers and timestamps straight into a byte buffer: at a few hundred thousand rows a second,
 * String.format and DateTimeFormatter would cost more than the database's own parsing.
 *
 * <p>Not thread-safe: one writer per COPY, used by one thread.
 */
final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 1 << 18;

    private final CopyIn copy;
    private final byte[] buf = new byte[FLUSH_AT + (1 << 16)];
    private final Map<Long, byte[]> days = new HashMap<>();
    private long lastDay = Long.MIN_VALUE;
    private byte[] lastDate;
    private int pos;
    private boolean firstColumn = true;
    private long rows;

    CopyWriter(CopyManager manager, String copySql) throws SQLException {
        this.copy = manager.copyIn(copySql);
    }

    CopyWriter num(long v) {
        sep();
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        if (v == 0) {
            buf[pos++] = '0';
            return this;
        }
        int start = pos;
        while (v > 0) {
            buf[pos++] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        reverse(start, pos - 1);
        return this;
    }

    CopyWriter bool(boolean v) {
        sep();
        buf[pos++] = (byte) (v ? 't' : 'f');
        return this;
    }

    CopyWriter nul() {
        sep();
        buf[pos++] = '\\';
        buf[pos++] = 'N';
        return this;
    }

    /** A text value, escaped for the COPY text format. */
    CopyWriter text(String s) {
        if (s == null) {
            return nul();
        }
        sep();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 0x80) { // rare in generated data: fall back to UTF-8 encoding of the rest
                ensure(s.length() * 3);
                for (byte b : escape(s.substring(i)).getBytes(StandardCharsets.UTF_8)) {
                    buf[pos++] = b;
                }
                return this;
            }
            switch (ch) {
                case '\\' -> { buf[pos++] = '\\'; buf[pos++] = '\\'; }
                case '\t' -> { buf[pos++] = '\\'; buf[pos++] = 't'; }
                case '\n' -> { buf[pos++] = '\\'; buf[pos++] = 'n'; }
                case '\r' -> { buf[pos++] = '\\'; buf[pos++] = 'r'; }
                default -> buf[pos++] = (byte) ch;
            }
        }
        return this;
    }

    /** A timestamptz from epoch milliseconds, written as {@code 2026-11-28 10:00:00.123+00}. */
    CopyWriter timestamp(long epochMillis) {
        sep();
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        long day = Math.floorDiv(epochSecond, 86_400);
        if (day != lastDay) { // rows mostly come in time order: one map look-up per day, not per row
            lastDate = days.computeIfAbsent(day, d -> LocalDate.ofEpochDay(d).toString().getBytes(StandardCharsets.US_ASCII));
            lastDay = day;
        }
        byte[] date = lastDate;
        System.arraycopy(date, 0, buf, pos, date.length);
        pos += date.length;
        int sod = (int) (epochSecond - day * 86_400);
        buf[pos++] = ' ';
        two(sod / 3600);
        buf[pos++] = ':';
        two(sod / 60 % 60);
        buf[pos++] = ':';
        two(sod % 60);
        int ms = Math.floorMod(epochMillis, 1000);
        buf[pos++] = '.';
        buf[pos++] = (byte) ('0' + ms / 100);
        buf[pos++] = (byte) ('0' + ms / 10 % 10);
        buf[pos++] = (byte) ('0' + ms % 10);
        buf[pos++] = '+';
        buf[pos++] = '0';
        buf[pos++] = '0';
        return this;
    }

    /** An IPv4 address from its 32-bit value. */
    CopyWriter ipv4(int address) {
        sep();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int octet = (address >>> shift) & 0xff;
            if (octet >= 100) {
                buf[pos++] = (byte) ('0' + octet / 100);
            }
            if (octet >= 10) {
                buf[pos++] = (byte) ('0' + octet / 10 % 10);
            }
            buf[pos++] = (byte) ('0' + octet % 10);
            if (shift > 0) {
                buf[pos++] = '.';
            }
        }
        return this;
    }

    void endRow() throws SQLException {
        buf[pos++] = '\n';
        firstColumn = true;
        rows++;
        if (pos >= FLUSH_AT) {
            flush();
        }
    }

    long rows() {
        return rows;
    }

    private void flush() throws SQLException {
        copy.writeToCopy(buf, 0, pos);
        pos = 0;
    }

    /** Ends the COPY; returns the rows the server counted. */
    long finish() throws SQLException {
        flush();
        return copy.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    private void sep() {
        if (pos + 4096 > buf.length) {
            throw new IllegalStateException("row larger than the COPY buffer");
        }
        if (!firstColumn) {
            buf[pos++] = '\t';
        }
        firstColumn = false;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            throw new IllegalStateException("value larger than the COPY buffer");
        }
    }

    private void two(int v) {
        buf[pos++] = (byte) ('0' + v / 10);
        buf[pos++] = (byte) ('0' + v % 10);
    }

    private void reverse(int i, int j) {
        while (i < j) {
            byte t = buf[i];
            buf[i++] = buf[j];
            buf[j--] = t;
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
}
