/**
 * How chrono-perf finds its services: the settings ({@link io.chronoperf.runtime.Setting}, the one
 * source of every setting), the embedded PostgreSQL and Redis of a fresh machine, the token secret,
 * and the root exception with its error codes. Plain Java, no Spring.
 */
package io.chronoperf.runtime;
