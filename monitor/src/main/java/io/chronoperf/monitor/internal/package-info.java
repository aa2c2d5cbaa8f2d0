/** Private API of the monitor library: its JDBC helpers. No compatibility guarantees provided. */
package io.chronoperf.monitor.internal;
