// The ops dashboard: reads /v1/ops/summary every 5 s with an ops key and draws it with Chart.js.
// Key figures are also written into data-value attributes (and data-testid'd elements) so tests can read them.
(() => {
  'use strict';

  const KEY = 'claims.opsKey';
  const REFRESH_MS = 5000;
  const CST_MS = 8 * 3600 * 1000; // business time is China Standard Time, UTC+8
  const colours = {};
  const charts = {};
  let timer = null;
  let refreshes = 0;

  const $ = (selector) => document.querySelector(selector);
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const money = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 });
  const moneyShort = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', notation: 'compact', maximumFractionDigits: 1 });
  const integer = new Intl.NumberFormat('en-US');
  const percent = (x) => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 2 : 1)}%`;
  const ms = (x) => (x == null ? '–' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
  const cstClock = (iso) => new Date(Date.parse(iso) + CST_MS).toISOString().slice(11, 16);
  const cstStamp = (iso) => new Date(Date.parse(iso) + CST_MS).toISOString().replace('T', ' ').slice(0, 19);

  // --- the key: ?key= once (then removed from the address bar), else sessionStorage, else ask -----------------------
  function takeKeyFromUrl() {
    const url = new URL(window.location.href);
    const key = url.searchParams.get('key');
    if (key) {
      sessionStorage.setItem(KEY, key);
      url.searchParams.delete('key');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
  }

  function askForKey(message) {
    document.body.dataset.state = 'need-key';
    const dialog = $('#key-dialog');
    if (message) showBanner(message);
    if (!dialog.open) dialog.showModal();
    $('#key-input').focus();
  }

  $('#key-form').addEventListener('submit', () => {
    const key = $('#key-input').value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY, key);
    $('#key-input').value = '';
    hideBanner();
    refresh();
  });

  $('#forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    clearTimeout(timer);
    askForKey();
  });

  // --- fetch loop -------------------------------------------------------------------------------------------------
  async function refresh() {
    clearTimeout(timer);
    const key = sessionStorage.getItem(KEY);
    if (!key) return askForKey();
    try {
      const response = await fetch('/v1/ops/summary', { headers: { Authorization: `ApiKey ${key}`, Accept: 'application/json' }, cache: 'no-store' });
      if (response.status === 401 || response.status === 403) {
        sessionStorage.removeItem(KEY);
        return askForKey(response.status === 401 ? 'That key was not accepted.' : 'That key has no ops role.');
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const summary = await response.json();
      render(summary);
      hideBanner();
      refreshes += 1;
      document.body.dataset.refreshes = String(refreshes);
      document.body.dataset.state = 'ready';
      window.claimsDashboard.summary = summary;
    } catch (e) {
      document.body.dataset.state = 'error';
      showBanner(`Could not read /v1/ops/summary: ${e.message}. Retrying every 5 s.`);
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function showBanner(text) { const b = $('#banner'); b.textContent = text; b.hidden = false; }
  function hideBanner() { $('#banner').hidden = true; }

  // --- rendering --------------------------------------------------------------------------------------------------
  function figure(testId, value, text, title) {
    const el = byTestId(testId);
    if (!el) return;
    el.dataset.value = value == null ? '' : String(value);
    const target = el.querySelector('b') || el;
    target.textContent = text;
    if (title) el.title = title;
  }

  function pill(testId, text, tone, value) {
    const el = byTestId(testId);
    el.textContent = text;
    el.className = `pill ${tone}`;
    el.dataset.value = value;
  }

  function render(s) {
    byTestId('as-of').textContent = `as of ${cstStamp(s.generatedAt)} UTC+8 · business day ${s.businessDate} · instance ${s.instance}`;

    const db = s.database;
    pill('db-state', db.reachable ? `Database ${db.provider} · ${db.roundTripMs ?? '–'} ms` : `Database ${db.provider} unreachable`,
      db.reachable ? 'ok' : 'bad', db.reachable ? 'reachable' : 'unreachable');
    const circuitTone = { Closed: 'ok', HalfOpen: 'warn', Open: 'bad', Isolated: 'bad' }[db.circuitState] || 'warn';
    pill('circuit-state', `Circuit ${db.circuitState}`, circuitTone, db.circuitState);
    if (!db.reachable) showBanner(`The database is unreachable: ${db.detail || 'no answer'}. Figures from the database are missing.`);

    const a = s.activity;
    const t = s.today;
    const l = s.latency;
    figure('kpi-adjudications-hour', a ? a.totals.total : null, a ? integer.format(a.totals.total) : '–');
    figure('kpi-settlements-today', t ? t.settlements.count : null, t ? integer.format(t.settlements.count) : '–');
    byTestId('kpi-business-date').textContent = `business day ${s.businessDate}`;
    figure('kpi-payout-today', t ? t.netPayout : null, t ? money.format(t.netPayout) : '–');
    figure('kpi-settlement-payout-today', t ? t.settlements.amount : null, t ? `settlements ${money.format(t.settlements.amount)}` : 'settlements –');
    figure('kpi-reversals-today', t ? t.reversals.count : null, t ? integer.format(t.reversals.count) : '–');
    figure('kpi-reversal-payout-today', t ? t.reversals.amount : null, t ? `recovered ${money.format(-t.reversals.amount)}` : 'recovered –');
    figure('kpi-rejection-rate', a ? a.rejectionRate : null, a ? percent(a.rejectionRate) : '–');
    figure('kpi-rejections-today', t ? t.rejections : null, t ? `${integer.format(t.rejections)} rejections today` : 'rejections today –');
    figure('kpi-error-rate', l.errorRate, percent(l.errorRate));
    figure('kpi-latency-count', l.count, `${integer.format(l.count)} requests, 60 min`);
    figure('kpi-p95', l.p95Ms, ms(l.p95Ms));
    byTestId('kpi-p50-p99').textContent = `p50 ${ms(l.p50Ms)} · p99 ${ms(l.p99Ms)}`;
    byTestId('kpi-error-rate').classList.toggle('bad', l.errorRate > 0);

    renderPerMinute(a);
    renderOutcomes(a);
    renderLatency(l);
    renderRequests(l);
    renderPayouts(t);
    renderReconciliation(s.reconciliation);
    renderParameterSets(s.parameterSets);
  }

  function chart(id, config) {
    if (charts[id]) {
      const c = charts[id];
      c.data.labels = config.data.labels;
      config.data.datasets.forEach((d, i) => {
        if (c.data.datasets[i]) Object.assign(c.data.datasets[i], { data: d.data, label: d.label, backgroundColor: d.backgroundColor });
        else c.data.datasets.push(d);
      });
      c.data.datasets.length = config.data.datasets.length;
      c.update('none');
      return c;
    }
    charts[id] = new Chart(document.getElementById(id), config);
    return charts[id];
  }

  const base = () => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    plugins: { legend: { labels: { color: colours.text, boxWidth: 12, boxHeight: 12 } }, tooltip: { mode: 'index', intersect: false } },
    scales: {
      x: { ticks: { color: colours.muted, maxRotation: 0, autoSkipPadding: 12 }, grid: { color: colours.grid } },
      y: { ticks: { color: colours.muted }, grid: { color: colours.grid }, beginAtZero: true },
    },
  });

  function renderPerMinute(a) {
    const minutes = a ? a.perMinute : [];
    const series = [
      ['Settled', 'settled', colours.settled], ['Reversed', 'reversed', colours.reversed], ['Adjusted', 'adjusted', colours.adjusted],
      ['Previewed', 'previewed', colours.previewed], ['Rejected', 'rejected', colours.rejected],
    ];
    const options = base();
    options.scales.x.stacked = true;
    options.scales.y.stacked = true;
    options.scales.y.ticks.precision = 0;
    chart('chart-per-minute', {
      type: 'bar',
      data: {
        labels: minutes.map((m) => cstClock(m.minute)),
        datasets: series.map(([label, field, colour]) => ({ label, data: minutes.map((m) => m[field]), backgroundColor: colour, borderRadius: 2 })),
      },
      options,
    });
  }

  function renderOutcomes(a) {
    const t = a ? a.totals : { settled: 0, reversed: 0, adjusted: 0, previewed: 0, rejected: 0 };
    chart('chart-outcomes', {
      type: 'doughnut',
      data: {
        labels: ['Settled', 'Reversed', 'Adjusted', 'Previewed', 'Rejected'],
        datasets: [{
          data: [t.settled, t.reversed, t.adjusted, t.previewed, t.rejected],
          backgroundColor: [colours.settled, colours.reversed, colours.adjusted, colours.previewed, colours.rejected],
          borderColor: colours.card, borderWidth: 2,
        }],
      },
      options: { responsive: true, maintainAspectRatio: false, cutout: '62%', animation: { duration: 250 },
        plugins: { legend: { position: 'right', labels: { color: colours.text, boxWidth: 12, boxHeight: 12 } } } },
    });
  }

  function renderLatency(l) {
    const options = base();
    options.spanGaps = true;
    options.elements = { point: { radius: 2 }, line: { tension: 0.25, borderWidth: 2 } };
    const byLabel = (a, b) => (a.text || a.dataset.label).localeCompare(b.text || b.dataset.label);
    options.plugins.legend.labels.sort = byLabel;
    options.plugins.tooltip.itemSort = (a, b) => a.dataset.label.localeCompare(b.dataset.label);
    chart('chart-latency', {
      type: 'line',
      data: {
        labels: l.perMinute.map((m) => cstClock(m.minute)),
        datasets: [
          { label: 'p50', data: l.perMinute.map((m) => m.p50Ms ?? null), borderColor: colours.settled, backgroundColor: colours.settled },
          { label: 'p95', data: l.perMinute.map((m) => m.p95Ms ?? null), borderColor: colours.warn, backgroundColor: colours.warn },
          // p99 often equals p95 in quiet minutes: dashed and drawn on top, so both stay visible.
          { label: 'p99', data: l.perMinute.map((m) => m.p99Ms ?? null), borderColor: colours.rejected, backgroundColor: colours.rejected, borderDash: [5, 4], order: -1 },
        ],
      },
      options,
    });
  }

  function renderRequests(l) {
    const o = l.outcomes;
    const options = base();
    options.indexAxis = 'y';
    options.plugins.legend.display = false;
    options.scales.x.ticks.precision = 0;
    chart('chart-requests', {
      type: 'bar',
      data: {
        labels: ['accepted', 'replayed', 'rejected', 'invalid', 'error'],
        datasets: [{ label: 'requests', data: [o.accepted, o.replayed, o.rejected, o.invalid, o.error],
          backgroundColor: [colours.settled, colours.previewed, colours.reversed, colours.adjusted, colours.rejected], borderRadius: 3 }],
      },
      options,
    });
  }

  function renderPayouts(t) {
    const regions = t ? t.byRegion : [];
    const options = base();
    options.indexAxis = 'y';
    options.scales.x.stacked = true;
    options.scales.y.stacked = true;
    options.scales.x.ticks.callback = (v) => moneyShort.format(v);
    options.plugins.tooltip.callbacks = { label: (c) => `${c.dataset.label}: ${money.format(c.raw)}` };
    chart('chart-payouts', {
      type: 'bar',
      data: {
        labels: regions.map((r) => (r.name ? `${r.regionCode} ${r.name}` : r.regionCode)),
        datasets: [
          { label: 'Settlements', data: regions.map((r) => r.settlementPayout), backgroundColor: colours.settled, borderRadius: 3 },
          { label: 'Reversals', data: regions.map((r) => r.reversalPayout), backgroundColor: colours.reversed, borderRadius: 3 },
          { label: 'Adjustments', data: regions.map((r) => r.adjustmentPayout), backgroundColor: colours.adjusted, borderRadius: 3 },
        ],
      },
      options,
    });
    byTestId('chart-payouts').dataset.regions = String(regions.length);
  }

  function renderReconciliation(runs) {
    runs = runs || [];
    const counts = {};
    runs.forEach((r) => { counts[r.result] = (counts[r.result] || 0) + 1; });
    const results = ['match', 'served', 'mismatch', 'incomplete'];
    const tone = { match: colours.settled, served: colours.previewed, mismatch: colours.rejected, incomplete: colours.reversed };
    const options = base();
    options.indexAxis = 'y';
    options.plugins.legend.display = false;
    options.scales.x.ticks.precision = 0;
    chart('chart-reconciliation', {
      type: 'bar',
      data: { labels: results, datasets: [{ label: 'runs', data: results.map((r) => counts[r] || 0), backgroundColor: results.map((r) => tone[r]), borderRadius: 3 }] },
      options,
    });
    const list = byTestId('reconciliation-runs');
    list.replaceChildren(...(runs.length ? runs.map((r) => {
      const li = document.createElement('li');
      const badge = document.createElement('span');
      badge.className = `badge ${r.result}`;
      badge.textContent = r.result;
      const what = document.createElement('b');
      what.textContent = `${r.regionCode} ${r.kind.replace('_', ' ')}`;
      const when = document.createElement('span');
      when.textContent = `${r.from} → ${r.to} · ${cstStamp(r.recordedAt).slice(5, 16)}`;
      li.append(badge, what, when);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'empty', textContent: 'No reconciliation yet.' })]));
    list.dataset.count = String(runs.length);
  }

  function renderParameterSets(sets) {
    const list = byTestId('parameter-sets');
    list.replaceChildren(...sets.map((p) => {
      const li = document.createElement('li');
      li.dataset.region = p.regionCode;
      li.dataset.version = String(p.version);
      const region = Object.assign(document.createElement('span'), { className: 'region', textContent: p.regionCode });
      const version = Object.assign(document.createElement('span'), { className: 'version', textContent: `v${p.version}` });
      const name = Object.assign(document.createElement('span'), { className: 'name', textContent: p.name });
      const meta = Object.assign(document.createElement('span'), { className: 'meta', textContent: `from ${p.effectiveFrom} · ${p.policyDocument || ''}` });
      meta.title = p.policyDocument || '';
      li.append(version, region, name, meta);
      return li;
    }));
    list.dataset.count = String(sets.length);
  }

  // --- start --------------------------------------------------------------------------------------------------------
  function start() {
    Object.assign(colours, {
      text: css('--text'), muted: css('--muted'), grid: css('--line'), card: css('--card'), warn: css('--warn'),
      settled: css('--settled'), reversed: css('--reversed'), adjusted: css('--adjusted'), previewed: css('--previewed'), rejected: css('--rejected'),
    });
    Chart.defaults.color = colours.muted;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.claimsDashboard = { charts, summary: null, refresh };
    takeKeyFromUrl();
    refresh();
  }

  start();
})();
