package io.chronoperf.runtime;

import java.io.IOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A redis-server started by chrono-perf (com.github.codemonstur:embedded-redis ships the binary),
 * bound to 127.0.0.1 on a free port. It keeps nothing on disk: the cache is rebuilt from the
 * database, so persistence would only cost I/O.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private final RedisServer server;
    private final int port;

    private EmbeddedRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedRedis start() {
        return start(freePort());
    }

    /** Starts on the given port (tests restart a server on the port its clients know). */
    public static EmbeddedRedis start(int port) {
        try {
            RedisServer server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("maxmemory 256mb")
                    .setting("maxmemory-policy allkeys-lru")
                    // Stopped by Services in order (after the server), not by a hook of its own.
                    .onShutdownForceStop(false)
                    .build();
            server.start();
            awaitPong(port, java.time.Duration.ofSeconds(15));
            return new EmbeddedRedis(server, port);
        } catch (IOException | RuntimeException e) {
            throw new ChronoPerfException(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    "Could not start the embedded redis-server: " + e.getMessage() + ". Set " + Setting.REDIS_URL.env()
                            + " to an existing Redis, or run with --no-redis.",
                    e);
        }
    }

    /** Waits until the server answers PING (a busy machine may take seconds), with a bound. */
    static void awaitPong(int port, java.time.Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] reply = new byte[7];
                int n = socket.getInputStream().read(reply);
                if (n > 0 && new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
                last = n > 0
                        ? new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII).strip()
                        : "no answer";
            } catch (IOException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IOException("redis-server on port " + port + " did not answer PING within " + bound.toSeconds()
                + " s (" + last + ")");
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new ChronoPerfException(
                    ErrorCode.INTERNAL, "Stopping the embedded redis-server failed: " + e.getMessage(), e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ChronoPerfException(ErrorCode.SERVICE_UNAVAILABLE, "No free local port: " + e.getMessage(), e);
        }
    }
}
