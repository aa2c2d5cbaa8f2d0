package io.chronoperf.advisor.nplusone;

import java.util.List;

/**
 * One executed statement of a unit (a request, a transaction, or a scope the caller opened).
 *
 * @param params     bound values in order, or null when not recorded
 * @param rows       rows returned (SELECT) or affected (writes), or null when unknown
 * @param site       the call site (first application frame), or null: one site for the whole unit
 * @param stackHash  a hash of the application part of the stack, or null
 */
public record TraceStatement(
        String unit,
        long seq,
        String sql,
        List<Object> params,
        double durationMs,
        Integer rows,
        String site,
        String stackHash) {}
