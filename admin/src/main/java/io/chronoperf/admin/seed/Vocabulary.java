package io.chronoperf.admin.seed;

import java.util.SplittableRandom;

/** Words and weighted choices the generator draws from. */
final class Vocabulary {
    static final String[] FIRST = {
        "james",
        "mary",
        "robert",
        "patricia",
        "john",
        "jennifer",
        "michael",
        "linda",
        "david",
        "elizabeth",
        "william",
        "barbara",
        "richard",
        "susan",
        "joseph",
        "jessica",
        "thomas",
        "sarah",
        "charles",
        "karen",
        "wei",
        "fatima",
        "olga",
        "hiro",
        "amara",
        "lucas",
        "sofia",
        "mateo",
        "aisha",
        "noah",
        "emma",
        "liam",
        "yuki",
        "ivan",
        "priya",
        "omar",
        "chen",
        "lena",
        "kofi",
        "ana"
    };
    static final String[] LAST = {
        "smith",
        "johnson",
        "williams",
        "brown",
        "jones",
        "garcia",
        "miller",
        "davis",
        "rodriguez",
        "martinez",
        "hernandez",
        "lopez",
        "gonzalez",
        "wilson",
        "anderson",
        "thomas",
        "taylor",
        "moore",
        "jackson",
        "martin",
        "lee",
        "perez",
        "thompson",
        "white",
        "harris",
        "sanchez",
        "clark",
        "ramirez",
        "lewis",
        "robinson",
        "walker",
        "young",
        "allen",
        "king",
        "wright",
        "scott",
        "torres",
        "nguyen",
        "hill",
        "flores"
    };
    static final String[] DOMAINS = {
        "example.com",
        "example.org",
        "mail.example.net",
        "corp.example.com",
        "archive.example.edu",
        "research.example.org"
    };
    static final String[] COUNTRIES = {
        "US", "DE", "GB", "FR", "NL", "IN", "BR", "JP", "CN", "RU", "NG", "CA", "AU", "SE", "PL"
    };
    static final String[] USER_AGENTS = {
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "chrono-admin-cli/2.3.1",
        "python-requests/2.32.3"
    };

    // audit_logs.category with weights, and the actions and resource type of each
    static final String[] CATEGORIES = {
        "user_management", "authentication", "security_event", "system_config", "backup", "content", "data_export"
    };
    static final int[] CATEGORY_WEIGHTS = {30, 25, 10, 8, 10, 12, 5};
    static final String[][] ACTIONS = {
        {"approve_user", "reject_user", "lock_user", "unlock_user", "update_user", "reset_password", "delete_user"},
        {"admin_login", "admin_logout", "mfa_challenge", "token_refresh"},
        {"block_ip", "review_event", "escalate_incident", "update_firewall_rule"},
        {"update_setting", "rotate_secret", "toggle_feature"},
        {"start_backup", "restore_backup", "verify_backup", "delete_backup"},
        {"publish_page", "unpublish_page", "archive_project", "update_project"},
        {"export_users", "export_audit_log", "export_report"}
    };
    static final String[] RESOURCE_TYPES = {
        "user", "session", "security_event", "setting", "backup", "project", "export"
    };

    static final String[] SEVERITIES = {"info", "low", "medium", "high", "critical"};
    static final int[] SEVERITY_WEIGHTS = {60, 20, 12, 6, 2};
    static final int[] SECURITY_SEVERITY_WEIGHTS = {15, 20, 30, 25, 10};

    static final String[] EVENT_TYPES = {
        "login_success",
        "login_failed",
        "password_reset",
        "mfa_failed",
        "suspicious_ip",
        "rate_limited",
        "privilege_escalation",
        "session_hijack",
        "brute_force"
    };
    static final int[] EVENT_WEIGHTS = {50, 25, 8, 7, 5, 3, 1, 1, 0};
    static final int[] EVENT_BASE_RISK = {2, 20, 10, 35, 55, 40, 85, 90, 80};

    static final String[] BACKUP_TYPES = {"full", "incremental", "differential", "snapshot"};
    static final String[] TARGET_TYPES = {"storage", "database", "schedule", "retention"};
    static final String[] CHECK_TYPES = {"connectivity", "checksum", "freshness", "capacity"};
    static final String[] PROJECT_WORDS = {
        "archive",
        "news",
        "research",
        "climate",
        "history",
        "policy",
        "museum",
        "library",
        "election",
        "science",
        "health",
        "sports",
        "culture",
        "finance",
        "energy",
        "ocean"
    };
    static final String[] PROJECT_STATUSES = {"active", "archived", "draft"};
    static final String[] PAGE_STATUSES = {"scraped", "indexed", "pending", "failed"};

    private Vocabulary() {}

    static int weighted(SplittableRandom rnd, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = rnd.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    static <T> T pick(SplittableRandom rnd, T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    /** Geometric number of trials with the given mean (at least 1). */
    static int geometric(SplittableRandom rnd, double mean) {
        double p = 1.0 / mean;
        return 1 + (int) Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(1 - p));
    }
}
