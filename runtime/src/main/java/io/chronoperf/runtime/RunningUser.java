package io.chronoperf.runtime;

/** Facts about the operating-system user this JVM runs as. */
final class RunningUser {
    private RunningUser() {}

    static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (Throwable notUnix) { // NoClassDefFoundError off Unix, or a restricted module graph
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
