package io.chronoperf.admin.repository;

/**
 * Who made an admin write, as the audit log records it: the admin's user id (0 when the token
 * names none), the token's subject, the client's IP address and user agent (null when unknown).
 */
public record Actor(long adminId, String subject, String ip, String userAgent) {
    /** Nobody in particular: a write made by a program without a request. */
    public static final Actor SYSTEM = new Actor(0, "system", null, null);

    public Actor {
        subject = subject == null || subject.isBlank() ? "unknown" : truncate(subject.strip(), 200);
        userAgent = userAgent == null || userAgent.isBlank() ? null : truncate(userAgent, 500);
        ip = ip == null || ip.isBlank() ? null : ip.strip();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
