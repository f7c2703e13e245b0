// The ops dashboard: reads /v1/ops/summary?period=… every 5 s with an ops key and draws it with Chart.js.
// Key figures are also written into data-value attributes (and data-testid'd elements) so tests can read them.
// Labels are English unless the address says ?lang=zh-CN; figures are the same in both.
(() => {
  'use strict';

  const KEY = 'claims.opsKey';
  const REFRESH_MS = 5000;
  const CST_MS = 8 * 3600 * 1000; // business time is China Standard Time, UTC+8
  const colours = {};
  const charts = {};
  let timer = null;
  let refreshes = 0;

  const params = new URL(window.location.href).searchParams;
  const LANG = (params.get('lang') || '').toLowerCase() === 'zh-cn' ? 'zh-CN' : 'en';
  const PERIODS = ['today', 'month', 'year'];
  let period = PERIODS.includes(params.get('period')) ? params.get('period') : 'today';

  const ZH = {
    subtitle: '大病保险 理赔 · 运维', changeKey: '更换密钥', 'period.today': '今日', 'period.month': '本月累计', 'period.year': '本保单年度',
    'kpi.hour': '近 60 分钟理赔', 'kpi.hourNote': '全部实例', 'kpi.settlements': '结算', 'kpi.net': '净支付', 'kpi.reversals': '冲正',
    'kpi.topUps': '补付', 'kpi.recoveries': '追回', 'kpi.rejectionRate': '近 60 分钟拒付率', 'kpi.errorRate': '错误率（全部实例）',
    'kpi.p95': 'p95 延迟（全部实例）', 'card.perMinute': '每分钟理赔', 'card.perMinuteNote': '全部实例 · 近 60 分钟 · 北京时间',
    'card.outcomes': '结果构成', 'card.outcomesNote': '近 60 分钟', 'card.latency': '理赔延迟', 'card.latencyNote': '全部实例 · 每分钟 p50 / p95 / p99 · 毫秒',
    'card.requests': '请求', 'card.requestsNote': '全部实例 · 近 60 分钟', 'card.payouts': '各统筹区支付', 'card.payoutsNote': '元 · 结算、冲正、补付、追回',
    'card.reconciliation': '对账', 'card.reconciliationNote': '最近 10 次结果', 'card.categories': '按人员类别', 'card.categoriesNote': '元 · 所选期间',
    'card.rejections': '拒付', 'card.rejectionsNote': '所选期间 · 按代码和医院', 'card.sets': '今日执行的参数', 'card.setsNote': '有自有参数的统筹区',
    'key.title': '运维密钥', 'key.text': '仪表盘使用运维或管理员密钥读取 /v1/ops/summary，密钥只保存在本标签页（sessionStorage）。', 'key.open': '打开仪表盘',
    Settled: '结算', Reversed: '冲正', Adjusted: '调整', Previewed: '预结算', Rejected: '拒付', Settlements: '结算', Reversals: '冲正', 'Top-ups': '补付', Recoveries: '追回',
    accepted: '受理', replayed: '重放', rejected: '拒付', invalid: '无效', error: '错误', match: '一致', served: '已提供', mismatch: '不一致', incomplete: '不完整',
    Net: '净额', Region: '统筹区', Category: '类别', Hospital: '医院', Code: '代码', Count: '笔数', Business: '业务拒付', Refused: '4xx 应答',
    'as of': '截至', 'business day': '业务日', instance: '实例', instances: '个实例', 'requests, 60 min': '次请求，近 60 分钟', settlements: '结算', recovered: '已追回',
    'rejections': '次拒付', 'adjustments paid': '笔补付', 'adjustments recovered': '笔追回', 'No reconciliation yet.': '尚无对账。', 'No rejections.': '无拒付。', 'Nothing in this period.': '本期间无数据。',
    'from': '起', 'priced with': '适用参数', 'National template': '全国模板', 'not in force for any region': '不作为任何统筹区的执行参数', 'every 5 s': '每 5 秒',
    'this instance only (database unreachable)': '仅本实例（数据库不可达）', 'Database': '数据库', 'unreachable': '不可达', 'Circuit': '熔断器',
  };
  const t = (text) => (LANG === 'zh-CN' && ZH[text] != null ? ZH[text] : text);
  const EN_PERIOD = { today: 'Today', month: 'Month to date', year: 'Policy year' };
  const periodLabel = (p) => (LANG === 'zh-CN' ? ZH[`period.${p}`] : EN_PERIOD[p]) || p;

  // No chart animation for those who asked the system for less motion (and for screenshots).
  const motion = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 250 };

  const $ = (selector) => document.querySelector(selector);
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const money = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 });
  const moneyShort = new Intl.NumberFormat(LANG === 'zh-CN' ? 'zh-CN' : 'en-US',
    { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol', notation: 'compact', maximumFractionDigits: 1 });
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
      const response = await fetch(`/v1/ops/summary?period=${encodeURIComponent(period)}`, { headers: { Authorization: `ApiKey ${key}`, Accept: 'application/json' }, cache: 'no-store' });
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

  // --- language and period ----------------------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = LANG;
    if (LANG === 'zh-CN') {
      document.title = 'ClaimsService · 运维';
      document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    } else {
      document.querySelectorAll('[data-i18n^="period."]').forEach((el) => { el.textContent = EN_PERIOD[el.dataset.period]; });
    }
    const other = new URL(window.location.href);
    if (LANG === 'zh-CN') other.searchParams.delete('lang'); else other.searchParams.set('lang', 'zh-CN');
    other.searchParams.delete('key');
    const link = $('#language');
    link.href = other.pathname + other.search;
    link.textContent = LANG === 'zh-CN' ? 'English' : '中文';
    byTestId('language').dataset.value = LANG;
  }

  function choosePeriod(p) {
    period = p;
    const nav = byTestId('period');
    nav.dataset.value = p;
    nav.querySelectorAll('button').forEach((b) => b.classList.toggle('on', b.dataset.period === p));
    const url = new URL(window.location.href);
    if (p === 'today') url.searchParams.delete('period'); else url.searchParams.set('period', p);
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  document.querySelectorAll('[data-period]').forEach((b) => b.addEventListener('click', () => { choosePeriod(b.dataset.period); refresh(); }));

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

  /** A figure that does not fit its box is drawn smaller (down to 14px), then wrapped: never cut, never over its neighbour. */
  function fitFigures() {
    document.querySelectorAll('.kpi b').forEach((b) => {
      b.classList.remove('wrap');
      b.style.fontSize = '';
      let size = parseFloat(getComputedStyle(b).fontSize);
      while (b.scrollWidth > b.clientWidth && size > 14) {
        size -= 1;
        b.style.fontSize = `${size}px`;
      }
      if (b.scrollWidth > b.clientWidth) b.classList.add('wrap');
    });
  }

  window.addEventListener('resize', () => fitFigures());

  function pill(testId, text, tone, value) {
    const el = byTestId(testId);
    el.textContent = text;
    el.className = `pill ${tone}`;
    el.dataset.value = value;
  }

  function render(s) {
    const names = (s.instances || []).map((i) => i.instance);
    byTestId('as-of').textContent = `${t('as of')} ${cstStamp(s.generatedAt)} UTC+8 · ${t('business day')} ${s.businessDate} · ${t('instance')} ${s.instance}`;
    const inst = byTestId('instances-pill');
    inst.textContent = LANG === 'zh-CN' ? `${names.length} ${t('instances')}` : `${names.length} instance${names.length === 1 ? '' : 's'}`;
    inst.dataset.value = String(names.length);
    inst.title = names.join(', ');

    const db = s.database;
    pill('db-state', db.reachable ? `${t('Database')} ${db.provider} · ${db.roundTripMs ?? '–'} ms` : `${t('Database')} ${db.provider} ${t('unreachable')}`,
      db.reachable ? 'ok' : 'bad', db.reachable ? 'reachable' : 'unreachable');
    const circuitTone = { Closed: 'ok', HalfOpen: 'warn', Open: 'bad', Isolated: 'bad' }[db.circuitState] || 'warn';
    pill('circuit-state', `${t('Circuit')} ${db.circuitState}`, circuitTone, db.circuitState);
    if (!db.reachable) showBanner(`The database is unreachable: ${db.detail || 'no answer'}. Figures from the database are missing.`);

    const a = s.activity;
    const p = s.period;
    const l = s.latency;
    const when = p ? (p.from === p.to ? p.from : `${p.from} → ${p.to}`) : s.businessDate;
    figure('kpi-adjudications-hour', a ? a.totals.total : null, a ? integer.format(a.totals.total) : '–');
    figure('kpi-settlements-today', p ? p.settlements.count : null, p ? integer.format(p.settlements.count) : '–');
    byTestId('kpi-business-date').textContent = `${periodLabel(period)} · ${when}`;
    figure('kpi-payout-today', p ? p.netPayout : null, p ? money.format(p.netPayout) : '–');
    figure('kpi-settlement-payout-today', p ? p.settlements.amount : null, p ? `${t('settlements')} ${money.format(p.settlements.amount)}` : '–');
    figure('kpi-reversals-today', p ? p.reversals.count : null, p ? integer.format(p.reversals.count) : '–');
    figure('kpi-reversal-payout-today', p ? p.reversals.amount : null, p ? `${t('recovered')} ${money.format(-p.reversals.amount)}` : '–');
    figure('kpi-top-ups', p ? p.topUps.amount : null, p ? money.format(p.topUps.amount) : '–');
    figure('kpi-top-up-count', p ? p.topUps.count : null, p ? `${integer.format(p.topUps.count)} ${t('adjustments paid')}` : '–');
    figure('kpi-recoveries', p ? p.recoveries.amount : null, p ? money.format(p.recoveries.amount) : '–');
    figure('kpi-recovery-count', p ? p.recoveries.count : null, p ? `${integer.format(p.recoveries.count)} ${t('adjustments recovered')}` : '–');
    figure('kpi-rejection-rate', a ? a.rejectionRate : null, a ? percent(a.rejectionRate) : '–');
    figure('kpi-rejections-today', p ? p.rejections : null, p ? `${integer.format(p.rejections)} ${t('rejections')}` : '–');
    figure('kpi-error-rate', l.errorRate, percent(l.errorRate));
    figure('kpi-latency-count', l.count, `${integer.format(l.count)} ${t('requests, 60 min')}`);
    figure('kpi-p95', l.p95Ms, ms(l.p95Ms));
    byTestId('kpi-p50-p99').textContent = `p50 ${ms(l.p50Ms)} · p99 ${ms(l.p99Ms)}`;
    byTestId('kpi-error-rate').classList.toggle('bad', l.errorRate > 0);
    const source = byTestId('latency-source');
    source.dataset.value = l.source;
    if (l.source !== 'fleet') source.textContent = t('this instance only (database unreachable)');
    byTestId('payouts-period').textContent = `${periodLabel(period)} · ${when}`;

    renderPerMinute(a);
    renderOutcomes(a);
    renderLatency(l);
    renderRequests(l);
    renderInstances(s.instances || [], s.instance);
    renderPayouts(p);
    renderCategories(p);
    renderRejections(s.rejections);
    renderReconciliation(s.reconciliation);
    renderParameterSets(s.parameterSets, s.nationalTemplate);
    fitFigures();
  }

  const regionLabel = (r) => {
    const name = LANG === 'zh-CN' ? (r.nameZh || r.name) : (r.name || r.nameZh);
    return name ? `${r.regionCode} ${name}` : r.regionCode;
  };

  function table(testId, head, rows, empty) {
    const el = byTestId(testId);
    const tr = (cells, tag) => {
      const row = document.createElement('tr');
      cells.forEach((c, i) => {
        const cell = document.createElement(tag);
        cell.textContent = c;
        if (i > 0) cell.className = 'num';
        row.append(cell);
      });
      return row;
    };
    const body = rows.length ? rows.map((r) => tr(r, 'td')) : [tr([t(empty)], 'td')];
    el.replaceChildren(tr(head.map(t), 'th'), ...body);
    el.dataset.count = String(rows.length);
  }

  function renderInstances(instances, self) {
    const list = byTestId('instances');
    list.replaceChildren(...instances.map((i) => {
      const li = document.createElement('li');
      li.dataset.instance = i.instance;
      li.dataset.requests = String(i.requests);
      li.textContent = `${i.instance === self ? '● ' : ''}${i.instance} · ${integer.format(i.requests)} · ${cstClock(i.lastMinute)}`;
      return li;
    }));
    list.dataset.count = String(instances.length);
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
    animation: motion,
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
    ].map(([label, field, colour]) => [t(label), field, colour]);
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
    const n = a ? a.totals : { settled: 0, reversed: 0, adjusted: 0, previewed: 0, rejected: 0 };
    chart('chart-outcomes', {
      type: 'doughnut',
      data: {
        labels: ['Settled', 'Reversed', 'Adjusted', 'Previewed', 'Rejected'].map(t),
        datasets: [{
          data: [n.settled, n.reversed, n.adjusted, n.previewed, n.rejected],
          backgroundColor: [colours.settled, colours.reversed, colours.adjusted, colours.previewed, colours.rejected],
          borderColor: colours.card, borderWidth: 2,
        }],
      },
      options: { responsive: true, maintainAspectRatio: false, cutout: '62%', animation: motion,
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
        labels: ['accepted', 'replayed', 'rejected', 'invalid', 'error'].map(t),
        datasets: [{ label: 'requests', data: [o.accepted, o.replayed, o.rejected, o.invalid, o.error],
          backgroundColor: [colours.settled, colours.previewed, colours.reversed, colours.adjusted, colours.rejected], borderRadius: 3 }],
      },
      options,
    });
  }

  function renderPayouts(p) {
    const regions = p ? p.byRegion : [];
    const options = base();
    options.indexAxis = 'y';
    options.scales.x.stacked = true;
    options.scales.y.stacked = true;
    options.scales.x.ticks.callback = (v) => moneyShort.format(v);
    options.plugins.tooltip.callbacks = { label: (c) => `${c.dataset.label}: ${money.format(c.raw)}` };
    chart('chart-payouts', {
      type: 'bar',
      data: {
        labels: regions.map(regionLabel),
        datasets: [
          { label: t('Settlements'), data: regions.map((r) => r.settlementPayout), backgroundColor: colours.settled, borderRadius: 3 },
          { label: t('Reversals'), data: regions.map((r) => r.reversalPayout), backgroundColor: colours.reversed, borderRadius: 3 },
          { label: t('Top-ups'), data: regions.map((r) => r.topUpPayout), backgroundColor: colours.adjusted, borderRadius: 3 },
          { label: t('Recoveries'), data: regions.map((r) => r.recoveryPayout), backgroundColor: colours.rejected, borderRadius: 3 },
        ],
      },
      options,
    });
    byTestId('chart-payouts').dataset.regions = String(regions.length);
    table('regions', ['Region', 'Settlements', 'Reversals', 'Top-ups', 'Recoveries', 'Net'],
      regions.map((r) => [regionLabel(r), money.format(r.settlementPayout), money.format(r.reversalPayout), money.format(r.topUpPayout),
        money.format(r.recoveryPayout), money.format(r.netPayout)]), 'Nothing in this period.');
    byTestId('regions').querySelectorAll('tr').forEach((tr, i) => { if (i > 0 && regions[i - 1]) tr.dataset.region = regions[i - 1].regionCode; });
  }

  function renderCategories(p) {
    const categories = p ? p.byCategory : [];
    const options = base();
    options.scales.x.stacked = true;
    options.scales.y.stacked = true;
    options.scales.y.ticks.callback = (v) => moneyShort.format(v);
    options.plugins.tooltip.callbacks = { label: (c) => `${c.dataset.label}: ${money.format(c.raw)}` };
    chart('chart-categories', {
      type: 'bar',
      data: {
        labels: categories.map((c) => c.category),
        datasets: [
          { label: t('Settlements'), data: categories.map((c) => c.settlements.amount), backgroundColor: colours.settled, borderRadius: 3 },
          { label: t('Reversals'), data: categories.map((c) => c.reversals.amount), backgroundColor: colours.reversed, borderRadius: 3 },
          { label: t('Top-ups'), data: categories.map((c) => c.topUps.amount), backgroundColor: colours.adjusted, borderRadius: 3 },
          { label: t('Recoveries'), data: categories.map((c) => c.recoveries.amount), backgroundColor: colours.rejected, borderRadius: 3 },
        ],
      },
      options,
    });
    table('categories', ['Category', 'Count', 'Settlements', 'Net'],
      categories.map((c) => [c.category, integer.format(c.settlements.count), money.format(c.settlements.amount), money.format(c.netPayout)]), 'Nothing in this period.');
  }

  function renderRejections(r) {
    const byCode = r ? r.byCode : [];
    const options = base();
    options.indexAxis = 'y';
    options.plugins.legend.display = false;
    options.scales.x.ticks.precision = 0;
    chart('chart-rejections', {
      type: 'bar',
      data: { labels: byCode.map((c) => c.code), datasets: [{ label: t('Business'), data: byCode.map((c) => c.count), backgroundColor: colours.rejected, borderRadius: 3 }] },
      options,
    });
    byTestId('chart-rejections').dataset.total = String(r ? r.total : 0);
    table('rejections-by-hospital', ['Hospital', 'Count'], (r ? r.byHospital : []).map((h) => [h.hospitalCode, integer.format(h.count)]), 'No rejections.');
    table('requests-by-code', ['Refused', 'Count'], (r ? r.requests : []).map((c) => [`${t(c.outcome)} · ${c.code}`, integer.format(c.count)]), 'No rejections.');
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
      data: { labels: results.map(t), datasets: [{ label: 'runs', data: results.map((r) => counts[r] || 0), backgroundColor: results.map((r) => tone[r]), borderRadius: 3 }] },
      options,
    });
    const list = byTestId('reconciliation-runs');
    list.replaceChildren(...(runs.length ? runs.map((r) => {
      const li = document.createElement('li');
      const badge = document.createElement('span');
      badge.className = `badge ${r.result}`;
      badge.textContent = t(r.result);
      const what = document.createElement('b');
      what.textContent = `${r.regionCode} ${r.kind.replace('_', ' ')}`;
      const when = document.createElement('span');
      when.textContent = `${r.from} → ${r.to} · ${cstStamp(r.recordedAt).slice(5, 16)}`;
      li.append(badge, what, when);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'empty', textContent: t('No reconciliation yet.') })]));
    list.dataset.count = String(runs.length);
  }

  function renderParameterSets(sets, template) {
    const list = byTestId('parameter-sets');
    list.replaceChildren(...sets.map((p) => {
      const li = document.createElement('li');
      li.dataset.region = p.regionCode;
      li.dataset.version = String(p.version);
      const region = Object.assign(document.createElement('span'), { className: 'region', textContent: regionLabel({ regionCode: p.regionCode, name: p.regionName, nameZh: p.regionNameZh }) });
      const version = Object.assign(document.createElement('span'), { className: 'version', textContent: `v${p.version}` });
      const name = Object.assign(document.createElement('span'), { className: 'name', textContent: `${t('priced with')} ${p.name}` });
      const meta = Object.assign(document.createElement('span'), { className: 'meta', textContent: `${t('from')} ${p.effectiveFrom} · ${p.policyDocument || ''}` });
      meta.title = p.policyDocument || '';
      li.append(version, region, name, meta);
      return li;
    }));
    list.dataset.count = String(sets.length);
    const note = byTestId('national-template');
    note.textContent = template ? `${t('National template')} 000000 ${template.name} v${template.version}: ${t('not in force for any region')}` : '';
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
    applyLanguage();
    choosePeriod(period);
    refresh();
  }

  start();
})();
