package io.chronoperf.advisor.lint;

import io.chronoperf.advisor.SqlScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks migration SQL for the mistakes that hurt production, in the spirit of squawk and
 * strong_migrations: locks held too long, table rewrites, builds that cannot be re-run, and
 * index predicates PostgreSQL refuses. Rules and their reasons are in docs/rules.md (ML001..).
 * Works on the text (statement by statement, comments and quoted text aside), so it needs no
 * database; a table created in the same file counts as new and empty, every other as existing
 * and large.
 */
public final class MigrationLinter {
    /** One finding: where, which rule, how bad, what happens and what to do instead. */
    public record Finding(String file, int line, String rule, String severity, String message, String fix) {}

    private static final Pattern CREATE_TABLE =
            Pattern.compile("(?is)^create\\s+(?:unlogged\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?([\\w.\"]+)");
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "(?is)^create\\s+(unique\\s+)?index\\s+(concurrently\\s+)?(if\\s+not\\s+exists\\s+)?(?:[\\w\"]+\\s+)?on\\s"
                    + "+(?:only\\s+)?([\\w.\"]+)(.*)$");
    private static final Pattern ALTER_TABLE =
            Pattern.compile("(?is)^alter\\s+table\\s+(?:if\\s+exists\\s+)?(?:only\\s+)?([\\w.\"]+)\\s+(.*)$");
    private static final Pattern VOLATILE = Pattern.compile(
            "(?i)\\b(now|current_timestamp|current_date|current_time|localtimestamp|clock_timestamp|statement_timestam"
                    + "p|transaction_timestamp|random|gen_random_uuid|uuid_generate_v4|nextval)\\b");
    private static final Pattern LOCK_TIMEOUT = Pattern.compile("(?i)^set\\s+(?:local\\s+)?lock_timeout");

    public List<Finding> lint(Path path) throws IOException {
        List<Finding> out = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".sql"))
                        .sorted()
                        .toList()) {
                    out.addAll(lintFile(path.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8)));
                }
            }
        } else {
            out.addAll(lintFile(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8)));
        }
        return out;
    }

    public List<Finding> lintFile(String file, String text) {
        List<Finding> out = new ArrayList<>();
        Set<String> created = new HashSet<>();
        boolean inTransaction = false;
        boolean lockTimeout = false;
        for (SqlScript.Statement st : SqlScript.split(text)) {
            String sql = st.sql().strip();
            String lower = sql.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
            if (lower.matches("^(begin|start transaction)\\b.*")) {
                inTransaction = true;
                continue;
            }
            if (lower.matches("^(commit|end|rollback)\\b.*")) {
                inTransaction = false;
                continue;
            }
            if (LOCK_TIMEOUT.matcher(sql).find()) {
                lockTimeout = true;
                continue;
            }
            Matcher ct = CREATE_TABLE.matcher(sql);
            if (ct.find()) {
                created.add(bare(ct.group(1)));
                continue;
            }
            Matcher ci = CREATE_INDEX.matcher(sql);
            if (ci.find()) {
                boolean concurrently = ci.group(2) != null;
                String table = bare(ci.group(4));
                String rest = ci.group(5);
                boolean existing = !created.contains(table);
                if (existing && !concurrently) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML001",
                            "error",
                            "CREATE INDEX on existing table " + table
                                    + " without CONCURRENTLY blocks every write to it for the whole build",
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ..., outside a transaction"));
                }
                if (concurrently && inTransaction) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML002",
                            "error",
                            "CREATE INDEX CONCURRENTLY inside a transaction block fails" + " (PostgreSQL refuses it)",
                            "run it outside BEGIN ... COMMIT (Flyway: a migration of its own, or mixed mode)"));
                }
                if (concurrently && ci.group(3) == null) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML003",
                            "error",
                            "a concurrent build that fails leaves an INVALID index; without IF NOT"
                                    + " EXISTS the re-run fails on the name",
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS, and drop or REINDEX an invalid leftover"));
                }
                int where = rest.toLowerCase(Locale.ROOT).lastIndexOf(" where ");
                String predicateAndExpressions = rest;
                if (VOLATILE.matcher(predicateAndExpressions).find()) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML005",
                            "error",
                            "a volatile or stable function (" + firstMatch(predicateAndExpressions)
                                    + ") in an index " + (where >= 0 ? "predicate" : "expression")
                                    + ": PostgreSQL refuses it, and a frozen"
                                    + " 'now' would be wrong the next day anyway",
                            "index the column and filter at query time, or use a constant bound"));
                }
                if (existing && !concurrently && !lockTimeout) {
                    out.add(lockTimeoutFinding(file, st.line(), table));
                }
                continue;
            }
            Matcher at = ALTER_TABLE.matcher(sql);
            if (at.find()) {
                String table = bare(at.group(1));
                String action = at.group(2).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
                if (created.contains(table)) {
                    continue; // a new, empty table: nothing to wait for
                }
                if (!lockTimeout) {
                    out.add(lockTimeoutFinding(file, st.line(), table));
                }
                if (action.matches(".*\\badd (column )?(if not exists )?\\w+ .*\\bnot null\\b.*")
                        && !action.contains(" default ")) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML006",
                            "error",
                            "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table" + " that has rows",
                            "add it with a constant DEFAULT (no rewrite since PostgreSQL 11), or nullable, "
                                    + "backfill, then a NOT VALID check"));
                }
                if (action.matches(".*\\badd (column )?.*\\bdefault\\b.*")
                        && VOLATILE.matcher(action).find()) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML007",
                            "error",
                            "ADD COLUMN with a volatile DEFAULT (" + firstMatch(action)
                                    + ") rewrites the whole table under an ACCESS EXCLUSIVE lock",
                            "add the column without default, backfill in batches, then SET DEFAULT"));
                }
                if (action.matches(".*\\badd (constraint \\w+ )?(foreign key|check)\\b.*")
                        && !action.contains("not valid")) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML008",
                            "error",
                            "ADD " + (action.contains("foreign key") ? "FOREIGN KEY" : "CHECK")
                                    + " without NOT VALID scans the whole table while holding a lock",
                            "ADD ... NOT VALID, then VALIDATE CONSTRAINT in its own statement"));
                }
                if (action.matches(".*\\balter (column )?\\w+ set not null\\b.*")) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML009",
                            "warning",
                            "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
                            "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT "
                                    + "NULL (PostgreSQL 12+ skips the scan)"));
                }
                if (action.matches(".*\\balter (column )?\\w+ (set data )?type\\b.*")) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML010",
                            "warning",
                            "changing a column's type usually rewrites the table and its"
                                    + " indexes under an ACCESS EXCLUSIVE lock",
                            "add a new column, backfill in batches, switch readers, drop the old one"));
                }
                if (action.matches(".*\\brename\\b.*")) {
                    out.add(new Finding(
                            file,
                            st.line(),
                            "ML011",
                            "warning",
                            "a rename breaks the application still running against the old name",
                            "add the new name alongside (a view or a new column), deploy, then remove the old"));
                }
                continue;
            }
            if (lower.matches("^drop index (?!concurrently).*")) {
                out.add(new Finding(
                        file,
                        st.line(),
                        "ML012",
                        "warning",
                        "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table",
                        "DROP INDEX CONCURRENTLY IF EXISTS, outside a transaction"));
            }
            if (lower.matches("^(vacuum full|vacuum \\(.*full.*\\)|cluster)\\b.*")) {
                out.add(new Finding(
                        file,
                        st.line(),
                        "ML013",
                        "error",
                        "VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock"
                                + " for as long as they run",
                        "pg_repack, or plain VACUUM"));
            }
        }
        return out;
    }

    private static Finding lockTimeoutFinding(String file, int line, String table) {
        return new Finding(
                file,
                line,
                "ML004",
                "error",
                "a statement that locks existing table " + table + " with no lock_timeout set"
                        + " waits behind any long query, and every other query on the table queues behind it",
                "SET lock_timeout = '5s' first (and retry), so that the migration fails fast instead of stalling the "
                        + "site");
    }

    private static String firstMatch(String s) {
        Matcher m = VOLATILE.matcher(s);
        return m.find() ? m.group(1) + "()" : "";
    }

    private static String bare(String name) {
        String n = name.replace("\"", "").toLowerCase(Locale.ROOT);
        return n.substring(n.lastIndexOf('.') + 1);
    }
}
