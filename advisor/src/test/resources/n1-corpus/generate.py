#!/usr/bin/env python3
"""Writes the labelled N+1 corpus: trace.jsonl (statements) and labels.jsonl (expected findings).

Each case below is written by hand from the definitions in docs/n-plus-one.md; the labels say
what a correct detector must find, unit by unit. Run it again after changing a case:
    python3 generate.py
"""
import json, random

random.seed(7)
lines, labels = [], []
seq = {}

def stmt(unit, sql, params=None, rows=None, site="com.acme.Service.handle:10", ms=None):
    seq[unit] = seq.get(unit, 0) + 1
    d = {"unit": unit, "seq": seq[unit], "sql": sql, "duration_ms": round(ms if ms is not None else random.uniform(0.2, 2.0), 3)}
    if params is not None: d["params"] = params
    if rows is not None: d["rows"] = rows
    if site is not None: d["site"] = site
    lines.append(d)

def label(unit, kind, *sqls):
    labels.append({"unit": unit, "kind": kind, "sql": list(sqls)})

# 1. classic loops: a parent query, then one child query per parent row (8 units)
children = [("pages", "project_id"), ("comments", "post_id"), ("orders", "customer_id"), ("audit_logs", "admin_user_id"),
            ("security_events", "user_id"), ("backup_executions", "backup_id"), ("line_items", "order_id"), ("tags", "article_id")]
for k, (table, fk) in enumerate(children):
    u = f"classic-{k}"
    n = 3 + k
    stmt(u, "SELECT id, name FROM parents WHERE owner_id = $1", [k], rows=n, site="com.acme.ParentRepo.list:20")
    for i in range(n):
        stmt(u, f"SELECT * FROM {table} WHERE {fk} = $1", [100 + i], rows=random.randint(0, 12), site=f"com.acme.{table}.load:31")
    label(u, "n_plus_one", f"SELECT * FROM {table} WHERE {fk} = $1")

# 2. two queries per parent row (5 units): two N+1 groups
for k in range(5):
    u = f"two-per-row-{k}"
    n = 3 + k
    stmt(u, "SELECT id FROM projects WHERE user_id = ?", [k], rows=n, site="com.acme.ProjectService.list:40")
    for i in range(n):
        stmt(u, "SELECT count(*) FROM pages WHERE project_id = ?", [i], rows=1, site="com.acme.ProjectService.list:44")
        stmt(u, "SELECT * FROM users WHERE id = ?", [50 + i], rows=1, site="com.acme.ProjectService.list:45")
    label(u, "n_plus_one", "SELECT count(*) FROM pages WHERE project_id = ?")
    label(u, "n_plus_one", "SELECT * FROM users WHERE id = ?")

# 3. the same fingerprint from different call sites (4 units)
for k in range(4):
    u = f"sites-{k}"
    for i in range(2):
        stmt(u, "SELECT * FROM users WHERE id = ?", [i + k], rows=1, site="com.acme.Header.render:12")
        stmt(u, "SELECT * FROM users WHERE id = ?", [i + 10 + k], rows=1, site="com.acme.Footer.render:30")
    if k % 2 == 1:  # a third call from one site makes that site's group an N+1
        stmt(u, "SELECT * FROM users WHERE id = ?", [99], rows=1, site="com.acme.Header.render:12")
        label(u, "n_plus_one", "SELECT * FROM users WHERE id = ?")

# 4. groups of 2: below the threshold (3 units)
for k in range(3):
    u = f"pair-{k}"
    stmt(u, "SELECT * FROM orders WHERE customer_id = $1", [k], rows=2)
    stmt(u, "SELECT * FROM line_items WHERE order_id = $1", [1], rows=3)
    stmt(u, "SELECT * FROM line_items WHERE order_id = $1", [2], rows=1)

# 5. duplicates: the same query with the same values (5 units)
for k in range(5):
    u = f"dup-{k}"
    for i in range(2 + k % 2):
        stmt(u, "SELECT value FROM settings WHERE key = ?", ["session_ttl"], rows=1, site="com.acme.Config.get:8")
        stmt(u, "SELECT * FROM users WHERE email = ?", [f"user{k}@example.com"], rows=1, site=f"com.acme.Auth.check:{20 + i}")
    label(u, "duplicate", "SELECT value FROM settings WHERE key = ?")
    label(u, "duplicate", "SELECT * FROM users WHERE email = ?")
    if 2 + k % 2 >= 3:  # three iterations of the same two statements are also a repeated pattern
        label(u, "repeated_pattern", "SELECT value FROM settings WHERE key = ?", "SELECT * FROM users WHERE email = ?")

# 6. batchable writes (5 units) and two that are not (2 units)
writes = [("INSERT INTO audit_logs (category, action) VALUES ($1, $2)", lambda i: ["content", f"a{i}"]),
          ("UPDATE users SET is_locked = true WHERE id = $1", lambda i: [i]),
          ("DELETE FROM sessions WHERE id = $1", lambda i: [i]),
          ("INSERT INTO tags (article_id, name) VALUES (?, ?)", lambda i: [7, f"t{i}"]),
          ("UPDATE pages SET status = ? WHERE id = ?", lambda i: ["indexed", i])]
for k, (sql, params) in enumerate(writes):
    u = f"batch-{k}"
    for i in range(3 + k):
        stmt(u, sql, params(i), rows=1, site="com.acme.Importer.run:55")
    label(u, "batchable_write", sql)
u = "batch-none-0"  # two inserts: below the threshold
for i in range(2):
    stmt(u, "INSERT INTO tags (article_id, name) VALUES (?, ?)", [1, f"x{i}"], rows=1)
u = "batch-none-1"  # set-based writes already
for i in range(3):
    stmt(u, "UPDATE pages SET status = 'indexed' WHERE project_id = ?", [i], rows=40)

# 7. pagination loops (4 units): repeated by design, not N+1
for k in range(4):
    u = f"paging-{k}"
    for i in range(3 + k):
        if k % 2 == 0:
            stmt(u, "SELECT * FROM audit_logs ORDER BY id LIMIT 100 OFFSET ?", [100 * i], rows=100)
        else:
            stmt(u, "SELECT * FROM users WHERE id > $1 ORDER BY id LIMIT 500", [500 * i], rows=500)

# 8. interleaving does not hide a loop (3 units)
for k in range(3):
    u = f"interleaved-{k}"
    stmt(u, "SELECT id FROM backups WHERE is_enabled", [], rows=4, site="com.acme.BackupView.show:10")
    for i in range(4):
        stmt(u, "SELECT * FROM backup_health_checks WHERE backup_id = ? ORDER BY checked_at DESC", [i], rows=3,
             site="com.acme.BackupView.show:14")
        stmt(u, f"SELECT count(*) FROM queue_{i}", None, rows=1, site="com.acme.Queues.size:3")  # a different query each time
    label(u, "n_plus_one", "SELECT * FROM backup_health_checks WHERE backup_id = ? ORDER BY checked_at DESC")

# 9. repeated patterns (5 units)
for k in range(5):
    u = f"pattern-{k}"
    reps = 3 + k % 2
    for i in range(reps):
        if k < 2:  # a constant read then a bulk write, each iteration
            stmt(u, "SELECT value FROM settings WHERE key = ?", ["quota"], rows=1, site="com.acme.Job.step:5")
            stmt(u, "UPDATE counters SET n = n + 1 WHERE group_id = ?", [i], rows=25, site="com.acme.Job.step:6")
        elif k < 4:  # a varying lookup, then a bulk update per row
            stmt(u, "SELECT * FROM accounts WHERE id = ?", [i + 1], rows=1, site="com.acme.Billing.run:9")
            stmt(u, "UPDATE invoices SET paid = true WHERE account_id = ?", [i + 1], rows=7, site="com.acme.Billing.run:10")
        else:  # three statements per iteration
            stmt(u, "SELECT 1", None, rows=1, site="com.acme.Ping.run:1")
            stmt(u, "SELECT * FROM flags WHERE name = 'beta'", None, rows=1, site="com.acme.Ping.run:2")
            stmt(u, "UPDATE stats SET hits = hits + 1 WHERE day = current_date", None, rows=3, site="com.acme.Ping.run:3")
    if k < 2:
        label(u, "duplicate", "SELECT value FROM settings WHERE key = ?")
        label(u, "repeated_pattern", "SELECT value FROM settings WHERE key = ?", "UPDATE counters SET n = n + 1 WHERE group_id = ?")
    elif k < 4:
        label(u, "n_plus_one", "SELECT * FROM accounts WHERE id = ?")
        label(u, "repeated_pattern", "SELECT * FROM accounts WHERE id = ?", "UPDATE invoices SET paid = true WHERE account_id = ?")
    else:
        label(u, "duplicate", "SELECT 1")
        label(u, "duplicate", "SELECT * FROM flags WHERE name = 'beta'")
        label(u, "repeated_pattern", "SELECT 1", "SELECT * FROM flags WHERE name = 'beta'",
              "UPDATE stats SET hits = hits + 1 WHERE day = current_date")

# 10. clean units (5 units)
for k in range(5):
    u = f"clean-{k}"
    stmt(u, "SELECT p.*, pg.* FROM projects p LEFT JOIN pages pg ON pg.project_id = p.id WHERE p.user_id = ?", [k], rows=30)
    stmt(u, "SELECT * FROM pages WHERE project_id = ANY(?)", [[1, 2, 3]], rows=12)
    stmt(u, "INSERT INTO audit_logs (category, action) VALUES ('content', 'view')", None, rows=1)

# 11. literals inlined, no params recorded, no site (2 units)
for k in range(2):
    u = f"inline-{k}"
    stmt(u, "SELECT id FROM projects WHERE user_id = 5", None, rows=4, site=None)
    for i in range(4):
        stmt(u, f"SELECT * FROM pages WHERE project_id = {10 + i}", None, rows=2, site=None)
    label(u, "n_plus_one", "SELECT * FROM pages WHERE project_id = 10")

with open("trace.jsonl", "w") as f:
    for d in lines:
        f.write(json.dumps(d) + "\n")
with open("labels.jsonl", "w") as f:
    for d in labels:
        f.write(json.dumps(d) + "\n")
units = len({d["unit"] for d in lines})
print(f"{units} units, {len(lines)} statements, {len(labels)} labelled findings")
