// chrono-perf dashboard: signs in with a token, reads the API, draws with Chart.js, and follows
// the live stream (server-sent events read through fetch, so that the token stays in a header).
(function () {
  'use strict';
  const API = '/api/v1/admin/performance';
  const KEY = 'chronoPerfToken';
  const charts = {};
  const state = { dashboard: null, streaming: false, database: 'main' };
  window.chronoPerf = { charts: charts, state: state };

  const $ = (id) => document.getElementById(id);
  const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v)) ? '–' : Number(v).toFixed(d);
  const bytes = (b) => b >= 1 << 30 ? fmt(b / (1 << 30)) + ' GB' : b >= 1 << 20 ? fmt(b / (1 << 20)) + ' MB' : fmt(b / 1024, 0) + ' kB';
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const row = (cells) => { const tr = el('tr'); cells.forEach((c) => tr.appendChild(c instanceof Node ? c : el('td', String(c)))); return tr; };
  const num = (v) => el('td', v, 'num');
  const code = (s) => { const td = el('td'); td.appendChild(el('code', s.length > 160 ? s.slice(0, 160) + '…' : s)); return td; };
  const fill = (id, rows, empty) => { const tb = $(id).querySelector('tbody'); tb.replaceChildren(...rows); if (!rows.length) { const tr = el('tr'); const td = el('td', empty, 'note'); td.colSpan = 8; tr.appendChild(td); tb.appendChild(tr); } };

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: 'Bearer ' + sessionStorage.getItem(KEY) }, options.body ? { 'Content-Type': 'application/json' } : {});
    const r = await fetch(API + path, Object.assign({}, options, { headers }));
    if (r.status === 401) { signOut('The token was refused or has expired: sign in again.'); throw new Error('unauthorized'); }
    const body = r.headers.get('content-type') && r.headers.get('content-type').includes('json') ? await r.json() : await r.text();
    if (!r.ok) { throw new Error((body && body.detail) || ('HTTP ' + r.status)); }
    return body;
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    $('app').hidden = true; $('sign-out').hidden = true; $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
    state.streaming = false;
  }

  async function signIn(token) {
    sessionStorage.setItem(KEY, token.trim());
    try {
      await api('/health');
    } catch (e) { if (e.message !== 'unauthorized') { $('sign-in-error').textContent = e.message; } return; }
    $('sign-in').hidden = true; $('app').hidden = false; $('sign-out').hidden = false;
    await databases();
    await refresh();
    showPage('space');
    stream();
    setInterval(refresh, 15000);
  }

  // the database switcher: main (the one chrono-perf runs on) and those of CHRONO_PERF_WATCH
  async function databases() {
    const list = (await api('/databases')).databases;
    const select = $('database');
    select.replaceChildren(...list.map((d) => { const o = el('option', d.name + (d.state === 'up' ? '' : ' (down)')); o.value = d.name; return o; }));
    select.value = state.database;
    select.hidden = list.length < 2;
  }

  // a watched database: its health, slow queries, alerts and history, in the dashboard's shape
  async function watched(name) {
    const q = 'database=' + encodeURIComponent(name);
    const [health, slow, alerts, h] = await Promise.all([api('/health?' + q), api('/database/slow-queries?hours=24&' + q),
      api('/alerts?' + q), api('/history?hours=1&' + q)]);
    const d = { generated_at: new Date().toISOString(), health: health, slow_queries: slow.queries.slice(0, 10).map((x) => x.statement),
      recommendations: null, alerts: alerts.alerts, n_plus_one: [], cache: { namespaces: {} } };
    return [d, h];
  }

  async function refresh() {
    const [d, h] = state.database === 'main' ? await Promise.all([api('/dashboard'), api('/history?hours=1')]) : await watched(state.database);
    state.dashboard = d;
    render(d);
    drawCharts(h);
    $('generated').textContent = 'updated ' + new Date(d.generated_at).toLocaleTimeString();
  }

  function renderScore(score, status) {
    $('score').textContent = fmt(score, 1);
    $('score').className = 'score ' + status; $('status').textContent = status; $('status').className = 'status ' + status;
  }

  function renderMetrics(m) {
    if (!m) return;
    $('t-connections').textContent = fmt(m.connections, 0);
    $('t-tps').textContent = fmt(m.transactions_per_second, 1);
    $('t-cache').textContent = m.cache_hit_ratio_pct === undefined ? '–' : fmt(m.cache_hit_ratio_pct, 2) + '%';
    $('t-mean').textContent = m.mean_query_ms === undefined ? '–' : fmt(m.mean_query_ms, 1) + ' ms';
    $('t-pool').textContent = m.pool_usage === undefined ? '–' : fmt(m.pool_usage * 100, 0) + '%';
  }

  function render(d) {
    const h = d.health;
    renderScore(h.score, h.status);
    $('components').replaceChildren(...(h.components.length ? h.components.map((c) => { const li = el('li'); li.appendChild(el('b', '−' + fmt(c.penalty, 1) + ' ' + c.name)); li.appendChild(document.createTextNode(' ' + c.reason)); return li; }) : [el('li', 'no deduction')]));
    renderMetrics(h.metrics);
    $('t-cache-k').textContent = 'buffer cache hit ' + (h.cache_hit_window || '');
    if (h.partial) $('status').textContent = h.status + ' (partial)';
    const spots = h.blind_spots || [];
    $('blind-spots').hidden = spots.length === 0;
    $('blind-spots').replaceChildren(...(spots.length ? [el('h3', 'Blind spots')] : []), ...spots.map((b) => {
      const div = el('div', null, 'blind-spot');
      div.appendChild(el('p', b.name + ' (' + b.state.replace(/_/g, ' ') + '): ' + b.effect));
      div.appendChild(el('pre', b.fix.join('\n')));
      return div;
    }));
    const ns = Object.values(d.cache.namespaces || {});
    const hits = ns.reduce((a, n) => a + n.l1_hits + n.l2_hits, 0), total = hits + ns.reduce((a, n) => a + n.misses, 0);
    $('t-appcache').textContent = total ? fmt(100 * hits / total, 1) + '%' : '–';
    $('services').replaceChildren(...Object.entries(h.services).map(([k, v]) => el('span', k + ': ' + v, v === 'up' ? '' : (v === 'degraded' || v === 'failing' ? 'down' : 'other'))));
    fill('tasks', Object.values(h.tasks).map((t) => row([t.name, t.interval, num(t.runs), num(t.failures), t.last_run_at ? new Date(t.last_run_at).toLocaleTimeString() : '–', t.last_outcome || '–', t.last_by ? t.last_by.split('@').reverse().join(' pid ') : '–'])), 'no task yet');
    fill('slow', (d.slow_queries || []).map((q) => { const tr = row([code(q.query), num(q.calls), num(fmt(q.mean_ms)), num(fmt(q.max_ms)), num(fmt(q.share_of_total_pct) + '%'), num(q.cache_hit_ratio_pct === undefined ? '–' : fmt(q.cache_hit_ratio_pct) + '%')]); tr.className = 'clickable'; tr.addEventListener('click', () => analyse(q)); return tr; }), 'no statement over the slow threshold in the last 24 h');
    renderAdvice(d.recommendations);
    renderReplicas(d.replicas);
    fill('alerts', (d.alerts || []).map((a) => row([a.rule, a.severity, a.state, num(fmt(a.value, 2)), new Date(a.started_at).toLocaleString()])), 'no alert in the last 24 h');
    fill('n1', (d.n_plus_one || []).map((f) => row([f.kind, code(f.sql || ''), f.site || '–', num(f.occurrences)])), 'no N+1 finding in the last 24 h');
    fill('namespaces', Object.entries(d.cache.namespaces || {}).map(([name, n]) => row([name, num(fmt(n.hit_ratio * 100, 1) + '%'), num(n.l1_hits), num(n.l2_hits), num(n.misses), num(n.l2_keys), num(fmt(n.compression_ratio, 2))])), 'no namespace');
  }

  function renderReplicas(r) {
    if (!r || !r.configured) {
      $('replicas-summary').textContent = r ? 'none configured: every read runs on the primary (CHRONO_PERF_DB_REPLICA_URLS adds them)' : 'the main database\'s reads only';
      $('routing').replaceChildren();
      fill('replicas', [], 'no replica');
      return;
    }
    const total = Object.values(r.reads).reduce((a, n) => a + n, 0);
    $('replicas-summary').textContent = 'lag bound ' + String(r.max_lag).replace(/^PT/, '').toLowerCase() + ' · ' + total + ' reads since the start';
    $('routing').replaceChildren(...Object.entries(r.reads).filter(([, n]) => n > 0).map(([k, n]) => {
      const seg = el('span', k.replace(/_/g, ' ') + ' ' + fmt(100 * n / total, 0) + '%', k === 'replica' ? 'ok' : 'other');
      seg.style.flexGrow = n;
      return seg;
    }));
    fill('replicas', r.replicas.map((x) => row([code(x.url), x.state.toLowerCase().replace(/_/g, ' '),
      num(x.lag_seconds == null ? '–' : fmt(x.lag_seconds * 1000, 0) + ' ms'), num(x.lag_bytes == null ? '–' : bytes(x.lag_bytes)),
      num(x.reads), x.reason || ''])), 'no replica');
  }

  function renderAdvice(a) {
    if (!a) { $('advice-summary').textContent = 'no advice yet: refresh it'; fill('indexes', [], 'no advice yet'); return; }
    $('advice-summary').textContent = a.indexes.length + ' indexes, workload cost ' + fmt(a.baseline_cost, 0) + ' → ' + fmt(a.final_cost, 0) + ' (' + a.method + ', ' + a.planner_calls + ' planner calls)';
    fill('indexes', a.indexes.map((r) => { const b = el('button', 'Apply'); b.addEventListener('click', () => apply(r, b)); const td = el('td'); td.appendChild(b); return row([code(r.ddl), num(bytes(r.size_bytes)), num(r.queries_helped.length), td]); }), 'no index is worth its cost for this workload');
  }

  const dbq = () => 'database=' + encodeURIComponent(state.database);

  async function analyse(q) {
    const box = $('analysis'); box.hidden = false; box.replaceChildren(el('p', 'analysing…', 'note'));
    try {
      const a = await api('/query/analyze?' + dbq(), { method: 'POST', body: JSON.stringify({ query: q.query, execution_time_ms: q.mean_ms }) });
      const parts = [el('h3', 'Analysis of ' + (a.fingerprint || 'the statement'))];
      if (a.execution_note) parts.push(el('p', a.execution_note, 'note'));
      (a.findings || []).forEach((i) => parts.push(el('p', '[' + i.severity + '] ' + i.rule + ': ' + i.message + (i.suggestion ? ' → ' + i.suggestion : ''))));
      (a.missing_indexes || []).forEach((r) => parts.push(el('p', 'index: ' + r.ddl + ' (' + fmt(r.estimated_improvement_pct) + '% cheaper, ' + r.method + ')')));
      (a.rewrites || []).forEach((r) => parts.push(el('p', 'rewrite: ' + (r.description || r.rule || JSON.stringify(r)))));
      parts.push(el('h3', 'Plan summary'));
      const pre = el('pre', JSON.stringify(a.plan_summary || a, null, 2)); parts.push(pre);
      if (a.plan) { parts.push(el('h3', 'Plan')); parts.push(el('pre', planTree(a.plan, 0).join('\n'), 'plan-tree')); }
      box.replaceChildren(...parts);
      if (q.queryid_text) await statementHistory(box, q);
    } catch (e) { box.replaceChildren(el('p', 'The analysis needs an admin token: ' + e.message, 'error')); }
  }

  // the plan tree as EXPLAIN prints it: a node a line, indented under its parent
  function planTree(node, depth) {
    const what = node['Node Type'] + (node['Relation Name'] ? ' on ' + node['Relation Name'] : '') + (node['Index Name'] ? ' using ' + node['Index Name'] : '');
    const est = '(cost=' + fmt(node['Startup Cost'], 2) + '..' + fmt(node['Total Cost'], 2) + ' rows=' + node['Plan Rows'] + ')';
    const act = node['Actual Total Time'] !== undefined ? ' (actual time=' + fmt(node['Actual Total Time'], 3) + ' ms rows=' + node['Actual Rows'] + ' loops=' + node['Actual Loops'] + ')' : '';
    const cond = ['Index Cond', 'Filter', 'Hash Cond', 'Join Filter', 'Sort Key'].filter((k) => node[k]).map((k) => '  '.repeat(depth + 2) + k + ': ' + node[k]);
    const lines = ['  '.repeat(depth) + (depth ? '-> ' : '') + what + ' ' + est + act, ...cond];
    (node.Plans || []).forEach((child) => lines.push(...planTree(child, depth + 1)));
    return lines;
  }

  // a slow statement's calls and mean time over the last 24 h, drawn under its analysis
  async function statementHistory(box, q) {
    const points = await api('/database/statements/' + q.queryid_text + '/history?hours=24&' + dbq());
    box.appendChild(el('h3', 'Its last 24 hours (' + points.length + ' intervals)'));
    const wrap = el('div', undefined, 'chart-box'); const canvas = el('canvas'); canvas.id = 'chart-statement'; wrap.appendChild(canvas); box.appendChild(wrap);
    if (charts['chart-statement']) { charts['chart-statement'].destroy(); delete charts['chart-statement']; }
    lineChart('chart-statement', points.map((p) => time(p.taken_at)), [{ label: 'mean ms', data: points.map((p) => p.mean_ms) }, { label: 'calls', data: points.map((p) => p.calls) }]);
  }

  // the pgHero-style pages: one table per tab, for the database chosen in the header
  const PAGES = {
    'space': { head: ['relation', 'kind', 'size', 'rows', 'growth a day'], rows: (d) => { $('page-note').textContent = 'database ' + bytes(d.database_bytes) + '; growth from the hourly sizes of the last 7 days'; return d.tables.concat(d.indexes).sort((a, b) => b.total_bytes - a.total_bytes).map((r) => [code(r.name), r.kind, num(bytes(r.total_bytes)), num(r.rows), num(r.growth_bytes_per_day === undefined || r.growth_bytes_per_day === null ? '–' : (r.growth_bytes_per_day < 0 ? '−' : '+') + bytes(Math.abs(r.growth_bytes_per_day)))]); } },
    'connections': { head: ['by', 'value', 'sessions'], rows: (d) => { $('page-note').textContent = d.total + ' of ' + d.max_connections + ' connections'; return Object.entries(d.by).flatMap(([k, list]) => list.map((c) => [k, c.value, num(c.sessions)])); } },
    'live-queries': { head: ['pid', 'user', 'application', 'state', 'seconds', 'query', ''], rows: (d) => { $('page-note').textContent = d.length ? '' : 'nothing running but chrono-perf'; return d.map((q) => [num(q.pid), q.user || '–', q.application || '–', q.state || '–', num(fmt(q.seconds)), code(q.query || ''), signalButtons(q)]); } },
    'maintenance': { head: ['table', 'live', 'dead', 'changed', 'last vacuum', 'last analyze', 'xid age', 'to do'], rows: (d) => { $('page-note').textContent = 'transaction-ID age ' + fmt(d.xid_age_pct) + '% of the wraparound limit'; return d.tables.map((t) => [code(t.table), num(t.live_rows), num(t.dead_rows), num(t.modified_since_analyze), when(t.last_vacuum || t.last_autovacuum), when(t.last_analyze || t.last_autoanalyze), num(t.xid_age), t.advice || '–']); } },
    'settings': { head: ['setting', 'now', 'recommended', 'why'], rows: (d) => { $('page-note').textContent = 'recommendations for ' + d.basis; return d.settings.map((s) => { const tr = [code(s.name), s.current, s.recommended, s.why]; return tr; }); } },
    'index-usage': { head: ['index', 'table', 'scans', 'size', 'kind', 'last used'], rows: (d) => { $('page-note').textContent = 'least used first'; return d.map((i) => [code(i.index), i.table, num(i.scans), num(bytes(i.size_bytes)), i.primary ? 'primary' : i.unique ? 'unique' : '–', when(i.last_used)]); } },
  };
  const when = (t) => t ? new Date(t).toLocaleString() : '–';

  function signalButtons(q) {
    const td = el('td');
    [['cancel', 'Cancel'], ['terminate', 'Terminate']].forEach(([action, label]) => {
      const b = el('button', label, 'small'); b.addEventListener('click', () => signal(q, action)); td.appendChild(b);
    });
    return td;
  }

  async function signal(q, action) {
    const reason = window.prompt(label(action) + ' session ' + q.pid + ' (' + (q.user || '') + ')?\n\n' + (q.query || '').slice(0, 300) + '\n\nWhy (kept with the action):');
    if (!reason) return;
    try {
      const s = await api('/database/live-queries/' + q.pid + '/' + action + '?' + dbq(), { method: 'POST', body: JSON.stringify({ confirm: true, reason }) });
      $('page-note').textContent = action + ' of session ' + s.pid + (s.done ? ' done' : ' sent, not done');
    } catch (e) { $('page-note').textContent = e.message; }
    showPage('live-queries');
  }
  const label = (a) => a === 'cancel' ? 'Cancel the statement of' : 'Terminate';

  async function showPage(name) {
    state.page = name;
    document.querySelectorAll('#page-tabs button').forEach((b) => b.classList.toggle('on', b.dataset.page === name));
    const page = PAGES[name];
    const thead = $('page-table').querySelector('thead'); const tr = el('tr'); page.head.forEach((h) => tr.appendChild(el('th', h))); thead.replaceChildren(tr);
    try {
      const d = await api('/database/' + name + '?' + dbq());
      fill('page-table', page.rows(d).map((cells) => row(cells)), 'nothing to show');
    } catch (e) { $('page-note').textContent = e.message; fill('page-table', [], 'not available'); }
  }

  async function apply(r, button) {
    if (!window.confirm('Create this index now with CREATE INDEX CONCURRENTLY?\n\n' + r.ddl)) return;
    button.disabled = true; $('apply-result').textContent = 'creating…';
    try {
      const o = await api('/indexes/apply', { method: 'POST', body: JSON.stringify({ confirm: true, indexes: [r.ddl] }) });
      $('apply-result').textContent = o.indexes.map((i) => (i.valid ? 'created ' : 'FAILED ') + i.name).join(', ') + '; ' + o.verdict;
    } catch (e) { $('apply-result').textContent = e.message; button.disabled = false; }
  }

  function lineChart(id, labels, datasets, suggestedMax) {
    const data = { labels, datasets: datasets.map((d, i) => Object.assign({ borderWidth: 2, pointRadius: 0, tension: 0.25, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length] + '22', fill: datasets.length === 1 }, d)) };
    if (charts[id]) { charts[id].data = data; charts[id].update('none'); return; }
    charts[id] = new Chart($(id), { type: 'line', data, options: { animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false }, plugins: { legend: { display: datasets.length > 1, position: 'bottom' } }, scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: !suggestedMax, suggestedMax } } } });
  }
  const palette = ['#3b63d6', '#1f9d55', '#d98e04', '#d64545', '#7b4bd6', '#0f8b8d', '#8a6d3b'];
  const time = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  function drawCharts(h) {
    const labels = h.points.map((p) => time(p.taken_at));
    $('history-note').textContent = h.points.length < 2 ? 'The history is starting: a sample every 30 s, the first points within a minute.' : '';
    lineChart('chart-connections', labels, [{ label: 'connections', data: h.points.map((p) => p.connections) }]);
    lineChart('chart-tps', labels, [{ label: 'transactions/s', data: h.points.map((p) => p.transactions_per_second) }]);
    lineChart('chart-cache', labels, [{ label: 'hit %', data: h.points.map((p) => p.cache_hit_ratio_pct) }], 100);
    lineChart('chart-p95', labels, [{ label: 'p95 ms', data: h.points.map((p) => p.p95_statement_ms === undefined ? null : p.p95_statement_ms) }]);
    const series = Object.entries(h.cache_hit_ratio_by_namespace || {});
    const nsLabels = series.length ? series.reduce((a, [, pts]) => pts.length > a.length ? pts : a, []).map((p) => time(p.taken_at)) : [];
    lineChart('chart-namespaces', nsLabels, series.map(([name, pts]) => ({ label: name, data: pts.map((p) => p.hit_ratio_pct), fill: false })), 100);
  }

  async function stream() {
    state.streaming = true;
    while (state.streaming) {
      try {
        const r = await fetch(API + '/stream', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem(KEY), Accept: 'text/event-stream' } });
        if (!r.ok) throw new Error('HTTP ' + r.status);
        $('live').className = 'live on'; $('live-text').textContent = 'live';
        const reader = r.body.getReader(); const decoder = new TextDecoder(); let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
            if (data && state.database === 'main') { const f = JSON.parse(data); renderScore(f.score, f.status); renderMetrics(f.metrics); state.lastEvent = f.at; }
          }
        }
      } catch (e) { /* reconnect below */ }
      $('live').className = 'live'; $('live-text').textContent = 'reconnecting';
      await new Promise((res) => setTimeout(res, 3000));
    }
  }

  async function action(button, fn) { button.disabled = true; try { $('cache-result').textContent = await fn(); } catch (e) { $('cache-result').textContent = e.message; } button.disabled = false; }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value); });
    $('sign-out').addEventListener('click', () => signOut());
    document.querySelectorAll('#page-tabs button').forEach((b) => b.addEventListener('click', () => showPage(b.dataset.page)));
    $('database').addEventListener('change', () => { state.database = $('database').value; $('analysis').hidden = true; refresh(); showPage(state.page || 'space'); });
    $('advise').addEventListener('click', () => action($('advise'), async () => { const a = await api('/indexes/recommendations'); renderAdvice(a); return ''; }));
    $('warm').addEventListener('click', () => action($('warm'), async () => { const r = await api('/cache/warm', { method: 'POST', body: JSON.stringify({}) }); return 'warmed ' + r.length + ' namespaces'; }));
    $('clear').addEventListener('click', () => action($('clear'), async () => {
      const pattern = $('clear-pattern').value;
      if (!window.confirm('Clear every key matching ' + pattern + ' on every instance?')) return 'not cleared';
      const r = await api('/cache/clear', { method: 'POST', body: JSON.stringify({ pattern, confirm: true }) }); return 'removed ' + r.removed + ' keys';
    }));
    if (sessionStorage.getItem(KEY)) { signIn(sessionStorage.getItem(KEY)); }
  });
})();
