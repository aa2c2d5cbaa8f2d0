package io.chronoperf.server.security;

import java.util.Set;

/** The two roles of the admin API: {@code admin} reads and writes, {@code viewer} only reads. */
public final class Roles {
    public static final String ADMIN = "admin";
    public static final String VIEWER = "viewer";
    public static final Set<String> ALL = Set.of(ADMIN, VIEWER);
    /** The JWT claim that carries the roles. */
    public static final String CLAIM = "roles";
    /** The JWT claim that carries the admin's user id, recorded in the audit log of their writes. */
    public static final String USER_ID_CLAIM = "uid";

    private Roles() {}
}
