// The Usage Stats page: filters in the URL, overview cards, consumption distribution, model call analysis and,
// for admins, the account picker and the all-accounts ranking. Everything shown comes from GET /api/v1/stats
// (and GET /api/v1/admin/accounts) as the API answers it.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { startPage, whoAmI, setNavQuery, el, icons } from './shell.js';
import { readView, viewQuery, apiQuery, resolvePeriod, isCurrentMonth } from './period.js';
import { int, decimal, fixed, change, dateTime, zoneName, bucketLabel, percent, duration } from './format.js';
import { filterBar, segments } from './filters.js';
import { toCsv, download } from './csv.js';

const REFRESH_MS = 60_000;
// ECharts (1 MB) loads while the first answers are on their way; the page waits for it only to draw.
const charts = import('./charts.js');
const $ = (id) => document.getElementById(id);
const main = $('main');

const state = {
  me: null,
  view: null,
  period: null,
  data: null,
  ranking: null,
  url: null,
  loadedAt: null,
  error: null,
  kind: stored('tokenstats.consumption', ['bar', 'area'], 'bar'),
  tab: stored('tokenstats.modelTab', ['trends', 'distribution', 'leaderboard'], 'trends'),
  drawnOnce: false,
  knownModels: new Set(),
  controller: null,
};

function stored(key, allowed, fallback) {
  try {
    const v = localStorage.getItem(key);
    return allowed.includes(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage blocked
  }
}

// ---------------------------------------------------------------- filters

let filters;

function setupFilters() {
  $('refresh-icon').innerHTML = icons.refresh;
  $('logs-link-icon').innerHTML = icons.arrowRight;
  filters = filterBar({
    view: () => state.view,
    period: () => state.period,
    navigate,
    modelOptions: async () => [...state.knownModels].sort(),
    keyOptions: knownKeys,
    granularity: true,
  });
  $('refresh').addEventListener('click', () => load({ quiet: true }));
}

async function knownKeys() {
  // Keys seen in the newest calls of the period (the stats API answers per model, not per key).
  if (!state.period) return [];
  const q = apiQuery({ ...state.view, keys: [] }, state.period, { tz: false, granularity: false });
  q.set('limit', '1000');
  const page = await api(`/api/v1/logs?${q}`);
  return [...new Set(page.items.map((i) => i.key).filter((k) => k !== ''))].sort();
}

// ---------------------------------------------------------------- navigation and loading

function navigate(view, { push = true } = {}) {
  state.view = view;
  const query = viewQuery(view);
  if (push) history.pushState(null, '', `?${query}`);
  else history.replaceState(null, '', `?${query}`);
  filters.render();
  load();
}

function syncLinks() {
  const logsQuery = viewQuery(state.view, { granularity: false });
  $('logs-link').href = `/logs?${logsQuery}`;
  setNavQuery(viewQuery(state.view).toString());
}

let refreshTimer = null;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    if (document.hidden) {
      scheduleRefresh();
    } else {
      load({ quiet: true });
    }
  }, REFRESH_MS);
}

async function load({ quiet = false, early = null } = {}) {
  syncLinks();
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  state.period = early ? early.period : resolvePeriod(state.view);
  const period = state.period;
  if (!quiet || !state.data) setLoading(true);
  $('refresh').disabled = true;
  try {
    if (state.me.role === 'admin') {
      await loadRanking(period, controller.signal);
      if (!state.view.account) {
        setLoading(false);
        showNotice('info', t('stats.noAccounts'));
        return;
      }
    }
    const url = `/api/v1/stats?${apiQuery(state.view, period)}`;
    main.dataset.statsUrl = url;
    const data = early && early.url === url ? await early.answer : await api(url, { signal: controller.signal });
    if (controller.signal.aborted) return;
    state.data = data;
    state.url = url;
    state.error = null;
    state.loadedAt = Date.now();
    if (state.view.models.length === 0) {
      for (const m of data.models.leaderboard) state.knownModels.add(m.model);
    }
    hideNotice();
    await render();
    main.dataset.rendered = url;
  } catch (e) {
    if (e.name === 'AbortError') return;
    state.error = e;
    showNotice('error', e.message || t('error.generic'), true);
    // A failed background refresh keeps the figures on screen; a view that could not load shows none.
    if (!quiet || !state.data) {
      $('content').hidden = true;
    }
    main.dataset.rendered = `error:${main.dataset.statsUrl || ''}`;
  } finally {
    if (state.controller === controller) {
      setLoading(false);
      $('refresh').disabled = false;
      scheduleRefresh();
    }
  }
}

async function loadRanking(period, signal) {
  const q = new URLSearchParams();
  q.set('from', new Date(period.from).toISOString());
  q.set('to', new Date(period.to).toISOString());
  const ranking = await api(`/api/v1/admin/accounts?${q}`, { signal });
  state.ranking = ranking;
  const accounts = ranking.accounts.map((a) => a.account);
  if (!state.view.account) {
    const mine = state.me.account && accounts.includes(state.me.account) ? state.me.account : accounts[0] || state.me.account;
    if (mine) {
      state.view = { ...state.view, account: mine };
      history.replaceState(null, '', `?${viewQuery(state.view)}`);
      syncLinks();
    }
  }
  filters.accounts(accounts, state.view.account);
  renderRanking();
}

function setLoading(on) {
  $('content').setAttribute('aria-busy', String(on));
  main.classList.toggle('is-loading', on && !state.data);
  main.classList.toggle('is-refreshing', on && !!state.data);
  if (on && !state.data) renderSkeleton();
}

function showNotice(kind, message, retry = false) {
  const n = $('notice');
  n.className = `notice notice-${kind}`;
  n.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  n.replaceChildren(el('span', { class: 'icon', html: icons.alert }),
    el('div', { class: 'notice-body' },
      el('strong', { text: kind === 'error' ? t('error.title') : t('notice.title') }),
      el('p', { text: message })),
    retry ? el('button', { type: 'button', class: 'button small', id: 'retry', text: t('common.retry'), onclick: () => load() }) : null);
  n.hidden = false;
}

function hideNotice() {
  $('notice').hidden = true;
  $('content').hidden = false;
}

// ---------------------------------------------------------------- rendering

function renderSkeleton() {
  $('cards').replaceChildren(...cardSpecs().map((c) => el('article', { class: 'card skeleton', 'aria-hidden': 'true' },
    el('h3', { text: t(c.label) }),
    el('p', { class: 'card-value' }, el('span', { class: 'bone wide' })),
    el('div', { class: 'card-meta' }, el('span', { class: 'bone' })))));
}

function cardSpecs(data) {
  const o = data ? data.overview : null;
  return [
    {
      id: 'requests', label: 'card.requests', value: o && int(o.requests), now: o && o.requests, prev: o && o.previous.requests,
      prevText: o && int(o.previous.requests), all: o && int(o.all_time.requests), allLabel: 'card.allTime',
      extra: o && t('card.errors', { n: int(o.errors), pct: o.requests ? percent(o.errors / o.requests, 2) : '0%' }),
    },
    {
      id: 'quota', label: 'card.quota', value: o && int(o.quota), now: o && o.quota, prev: o && o.previous.quota,
      prevText: o && int(o.previous.quota), all: o && int(o.all_time.quota), allLabel: 'card.allTime',
      extra: o && t('card.tokens', { n: int(o.tokens) }),
    },
    {
      id: 'credits', label: 'card.credits', value: o && decimal(o.credits), now: o && Number(o.credits),
      prev: o && Number(o.previous.credits), prevText: o && decimal(o.previous.credits), all: o && decimal(o.all_time.credits),
      allLabel: 'card.allTime',
    },
    {
      id: 'rpm', label: 'card.rpm', value: o && fixed(o.avg_rpm), now: o && o.avg_rpm, prev: o && o.previous.avg_rpm,
      prevText: o && fixed(o.previous.avg_rpm), all: o && int(o.peak_rpm), allLabel: 'card.peak',
    },
    {
      id: 'tpm', label: 'card.tpm', value: o && fixed(o.avg_tpm), now: o && o.avg_tpm, prev: o && o.previous.avg_tpm,
      prevText: o && fixed(o.previous.avg_tpm), all: o && int(o.peak_tpm), allLabel: 'card.peak',
      extra: o && t('card.allTimeTokens', { n: int(o.all_time.tokens) }),
    },
  ];
}

function renderCards(data) {
  $('cards').replaceChildren(...cardSpecs(data).map((c) => {
    const d = change(c.now, c.prev);
    return el('article', { class: 'card', id: `card-${c.id}`, 'data-card': c.id },
      el('h3', { text: t(c.label) }),
      el('p', { class: 'card-value', 'data-value': '', text: c.value }),
      el('p', { class: 'card-change' },
        el('span', {
          class: `delta delta-${d.direction}`, 'data-delta': '', title: `${t('card.previous')}: ${c.prevText}`,
        }, d.text),
        el('span', { class: 'muted', text: t('card.vsPrevious') })),
      el('dl', { class: 'card-meta' },
        el('div', {}, el('dt', { text: t(c.allLabel) }), el('dd', { 'data-all': '', text: c.all })),
        el('div', {}, el('dt', { text: t('card.previous') }), el('dd', { 'data-previous': '', text: c.prevText }))),
      c.extra ? el('p', { class: 'card-extra', text: c.extra }) : null);
  }));
}

function renderStatus() {
  const d = state.data;
  const line = $('status-line');
  if (!d) {
    line.textContent = '';
    return;
  }
  const tz = state.view.tz;
  const parts = [];
  parts.push(`${dateTime(d.from, tz, { seconds: false })} – ${dateTime(d.to, tz, { seconds: false })} (${zoneName(tz, Date.parse(d.from))})`);
  parts.push(d.complete_until
    ? t('status.completeUntil', { time: dateTime(d.complete_until, tz) })
    : t('status.noEvents'));
  parts.push(t('status.autoRefresh'));
  line.replaceChildren(...parts.map((p, i) => el('span', { class: i === 1 ? 'status-complete' : null, text: p })));
  line.querySelector('.status-complete')?.setAttribute('id', 'complete-until');
  if (d.complete_until) $('complete-until').dataset.value = d.complete_until;
}

let chartApi = null;

async function render() {
  if (!chartApi) chartApi = await charts;
  const d = state.data;
  renderStatus();
  renderCards(d);
  const empty = d.overview.requests === 0;
  $('empty').hidden = !empty;
  $('consumption').hidden = empty;
  $('models').hidden = empty;
  if (empty) {
    renderEmpty();
  }
  const draws = [];
  if (!empty) {
    renderConsumptionTools();
    renderModelTools();
    draws.push(drawConsumption());
    draws.push(drawModelTab());
  }
  renderRanking();
  await Promise.all(draws);
  if (!state.drawnOnce) {
    state.drawnOnce = true;
    performance.mark('tokenstats:drawn');
    main.dataset.drawn = String(Math.round(performance.getEntriesByName('tokenstats:drawn')[0].startTime));
  }
}

function renderEmpty() {
  const v = state.view;
  const filtered = v.models.length + v.keys.length > 0;
  $('empty').replaceChildren(
    el('span', { class: 'empty-icon', html: icons.empty }),
    el('h2', { text: t('empty.title') }),
    el('p', { class: 'muted', text: filtered ? t('empty.filtered') : t('empty.hint') }),
    el('div', { class: 'empty-actions' },
      filtered ? el('button', {
        type: 'button', class: 'button', text: t('filter.clearAll'), onclick: () => navigate({ ...v, models: [], keys: [] }),
      }) : null,
      v.period !== '90d' ? el('button', {
        type: 'button', class: 'button primary', text: t('empty.longer'), onclick: () => navigate({ ...v, period: '90d' }),
      }) : null));
}

// ---- consumption

function granularityText() {
  return t(`unit.${state.data.granularity}`);
}

function renderConsumptionTools() {
  segments($('consumption-kind'), ['bar', 'area'], state.kind, (k) => t(`chart.${k}`), setKind, 'consumption');
  const csv = $('consumption-csv');
  csv.replaceChildren(el('span', { class: 'icon', html: icons.download }), el('span', { text: 'CSV' }));
  csv.setAttribute('aria-label', t('csv.consumption'));
  csv.onclick = () => downloadConsumption();
  $('consumption-sub').textContent = t('stats.consumptionSub', { granularity: granularityText(), tz: state.view.tz });
}

function setKind(k) {
  if (state.kind === k) return;
  state.kind = k;
  remember('tokenstats.consumption', k);
  renderConsumptionTools();
  $(`consumption-${k}`).focus();
  drawConsumption({ animate: true });
}

function projection() {
  const d = state.data;
  if (!isCurrentMonth(state.view, state.period)) return null;
  const now = Date.now();
  const from = Date.parse(d.from);
  const to = Date.parse(d.to);
  const elapsed = Math.min(now, to) - from;
  if (elapsed <= 0 || now >= to) return null;
  const rate = d.overview.quota / elapsed; // quota per ms so far
  const values = d.consumption.map((c) => {
    const start = Date.parse(c.start);
    const end = Date.parse(c.end);
    if (end <= now) return null;
    if (start <= now) return c.quota + rate * (end - now);
    return rate * (end - start);
  });
  // connect the dashed line to the last bucket with data
  const first = values.findIndex((x) => x !== null);
  if (first > 0) values[first - 1] = d.consumption[first - 1].quota;
  return { values, total: Math.round(d.overview.quota + rate * (to - now)), soFar: d.overview.quota };
}

function consumptionDescription() {
  const d = state.data;
  const top = d.consumption.reduce((best, c) => (c.quota > best.quota ? c : best), d.consumption[0]);
  return t('alt.consumption', {
    granularity: granularityText(),
    from: bucketLabel(d.consumption[0].start, d.granularity, { long: true }),
    to: bucketLabel(d.consumption[d.consumption.length - 1].start, d.granularity, { long: true }),
    total: int(d.overview.quota),
    peak: bucketLabel(top.start, d.granularity, { long: true }),
    peakValue: int(top.quota),
  });
}

function drawConsumption({ animate = false } = {}) {
  const d = state.data;
  const proj = state.kind === 'area' ? projection() : null;
  const note = $('projection-note');
  const p = projection();
  note.hidden = !p;
  if (p) {
    note.replaceChildren(el('span', { class: 'dot dashed' }),
      el('span', { text: t('stats.projection', { total: int(p.total), soFar: int(p.soFar) }) }));
    note.id = 'projection-note';
    note.dataset.total = String(p.total);
  }
  const description = consumptionDescription();
  dataTable('consumption-table', t('table.consumption'), [t('table.start'), t('table.end'), t('chart.requests'),
    t('chart.quota'), t('chart.credits'), t('chart.tokens')],
  () => d.consumption.map((c) => [c.start, c.end, int(c.requests), int(c.quota), decimal(c.credits), int(c.tokens)]));
  return chartApi.draw($('consumption-chart'), chartApi.consumptionOption({
    consumption: d.consumption, granularity: d.granularity, kind: state.kind, projection: proj, description,
  }), { animate });
}

function downloadConsumption() {
  const d = state.data;
  download(`consumption-${fileSuffix()}.csv`, toCsv(['start', 'end', 'requests', 'quota', 'credits', 'tokens'],
    d.consumption.map((c) => [c.start, c.end, c.requests, c.quota, c.credits, c.tokens])));
}

function fileSuffix() {
  const d = state.data;
  return `${d.account}-${d.from.slice(0, 10)}-${d.to.slice(0, 10)}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

// ---- models

const TABS = ['trends', 'distribution', 'leaderboard'];

function renderModelTools() {
  const tabs = $('model-tabs');
  tabs.replaceChildren(...TABS.map((name) => el('button', {
    type: 'button', role: 'tab', class: 'tab', id: `tab-button-${name}`, 'aria-controls': `tab-${name}`,
    'aria-selected': String(state.tab === name), tabindex: state.tab === name ? '0' : '-1', text: t(`models.${name}`),
    onclick: () => setTab(name),
  })));
  tabs.onkeydown = (e) => {
    const i = TABS.indexOf(state.tab);
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    if (e.key === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
    if (e.key === 'Home') j = 0;
    if (e.key === 'End') j = TABS.length - 1;
    if (j >= 0) {
      e.preventDefault();
      setTab(TABS[j]);
    }
  };
  for (const name of TABS) $(`tab-${name}`).hidden = state.tab !== name;
  const csv = $('models-csv');
  csv.replaceChildren(el('span', { class: 'icon', html: icons.download }), el('span', { text: 'CSV' }));
  csv.setAttribute('aria-label', t(`csv.${state.tab}`));
  csv.onclick = () => downloadModels();
  const models = state.data.models.leaderboard.length;
  $('models-sub').textContent = t('stats.modelsSub', { n: int(models) });
}

function setTab(name) {
  state.tab = name;
  remember('tokenstats.modelTab', name);
  renderModelTools();
  $(`tab-button-${name}`).focus();
  drawModelTab();
}

function drawModelTab() {
  const d = state.data;
  if (state.tab === 'trends') {
    const tr = d.models.trends;
    dataTable('trends-table', t('table.trends'), [t('table.start'), ...tr.series.map((s) => s.model)],
      () => tr.buckets.map((b, i) => [b, ...tr.series.map((s) => int(s.requests[i]))]));
    return chartApi.draw($('trends-chart'), chartApi.trendsOption({
      trends: tr, granularity: d.granularity,
      description: t('alt.trends', {
        n: tr.series.length, granularity: granularityText(),
        models: tr.series.map((s) => `${s.model} ${int(s.requests.reduce((a, b) => a + b, 0))}`).join(', '),
      }),
    }));
  }
  if (state.tab === 'distribution') {
    const dist = d.models.distribution;
    dataTable('distribution-table', t('table.distribution'), [t('table.model'), t('chart.requests'), t('table.share')],
      () => dist.map((x) => [x.model, int(x.requests), percent(x.share, 2)]));
    return chartApi.draw($('distribution-chart'), chartApi.distributionOption({
      distribution: dist, narrow: $('distribution-chart').clientWidth < 560,
      description: t('alt.distribution', { models: dist.map((x) => `${x.model} ${percent(x.share, 1)}`).join(', ') }),
    }));
  }
  renderLeaderboard();
  return Promise.resolve();
}

function renderLeaderboard() {
  const rows = state.data.models.leaderboard;
  const total = rows.reduce((s, r) => s + r.requests, 0) || 1;
  const max = rows.reduce((m, r) => Math.max(m, r.requests), 0) || 1;
  const head = ['#', t('table.model'), t('chart.requests'), t('table.errors'), t('chart.quota'), t('chart.credits'),
    t('table.tokensPc'), t('table.per1k'), t('table.avgDuration')];
  const numeric = [true, false, true, true, true, true, true, true, true];
  const table = el('table', { class: 'table', id: 'leaderboard-table' },
    el('caption', { class: 'sr-only', text: t('models.leaderboard') }),
    el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: numeric[i] ? 'num' : null, text: h })))),
    el('tbody', {}, ...rows.map((r) => {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.max(2, (r.requests / max) * 100)}%`;
      const logs = new URLSearchParams(viewQuery({ ...state.view, models: [r.model] }, { granularity: false }));
      return el('tr', { 'data-model': r.model },
        el('td', { class: 'num rank', text: String(r.rank) }),
        el('th', { scope: 'row', class: 'model-cell' },
          el('a', { href: `/logs?${logs}`, title: t('stats.modelLogs', { model: r.model }), text: r.model })),
        el('td', { class: 'num requests-cell' },
          el('span', { class: 'cell-main', text: int(r.requests) }),
          el('span', { class: 'cell-sub', text: percent(r.requests / total, 1) }),
          el('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar)),
        el('td', { class: `num${r.errors ? ' has-errors' : ''}`, text: int(r.errors) }),
        el('td', { class: 'num', text: int(r.quota) }),
        el('td', { class: 'num', text: decimal(r.credits) }),
        el('td', { class: 'num' },
          el('span', { class: 'cell-main', text: int(r.tokens) }),
          el('span', { class: 'cell-sub', text: `${int(r.prompt_tokens)} / ${int(r.completion_tokens)}` })),
        el('td', { class: 'num', text: r.quota_per_1k_tokens === null ? '—' : fixed(r.quota_per_1k_tokens) }),
        el('td', { class: 'num', text: duration(r.avg_duration_ms) }));
    })));
  $('leaderboard').replaceChildren(table);
}

function downloadModels() {
  const d = state.data;
  if (state.tab === 'trends') {
    const tr = d.models.trends;
    download(`call-trends-${fileSuffix()}.csv`, toCsv(['bucket', ...tr.series.map((s) => s.model)],
      tr.buckets.map((b, i) => [b, ...tr.series.map((s) => s.requests[i])])));
  } else if (state.tab === 'distribution') {
    download(`call-distribution-${fileSuffix()}.csv`, toCsv(['model', 'requests', 'share'],
      d.models.distribution.map((x) => [x.model, x.requests, x.share])));
  } else {
    download(`call-leaderboard-${fileSuffix()}.csv`, toCsv(['rank', 'model', 'requests', 'errors', 'quota', 'credits',
      'tokens', 'prompt_tokens', 'completion_tokens', 'avg_duration_ms', 'quota_per_1k_tokens'],
    d.models.leaderboard.map((r) => [r.rank, r.model, r.requests, r.errors, r.quota, r.credits, r.tokens,
      r.prompt_tokens, r.completion_tokens, r.avg_duration_ms, r.quota_per_1k_tokens])));
  }
}

// ---- admin ranking

function renderRanking() {
  const section = $('accounts');
  if (state.me.role !== 'admin' || !state.ranking) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const rows = state.ranking.accounts;
  const csv = $('accounts-csv');
  csv.replaceChildren(el('span', { class: 'icon', html: icons.download }), el('span', { text: 'CSV' }));
  csv.setAttribute('aria-label', t('csv.accounts'));
  csv.onclick = () => download(`accounts-${state.ranking.from.slice(0, 10)}-${state.ranking.to.slice(0, 10)}.csv`,
    toCsv(['rank', 'account', 'requests', 'errors', 'quota', 'credits', 'tokens'],
      rows.map((r) => [r.rank, r.account, r.requests, r.errors, r.quota, r.credits, r.tokens])));
  const head = ['#', t('filter.account'), t('chart.requests'), t('table.errors'), t('chart.quota'), t('chart.credits'),
    t('chart.tokens')];
  $('accounts-table').replaceChildren(el('table', { class: 'table', id: 'ranking-table' },
    el('caption', { class: 'sr-only', text: t('stats.accounts') }),
    el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: i === 1 ? null : 'num', text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {
      'data-account': r.account, class: r.account === state.view.account ? 'selected' : null,
    },
    el('td', { class: 'num rank', text: String(r.rank) }),
    el('th', { scope: 'row' }, el('button', {
      type: 'button', class: 'link-button', text: r.account, 'aria-pressed': String(r.account === state.view.account),
      onclick: () => {
        navigate({ ...state.view, account: r.account, models: [], keys: [] });
        window.scrollTo({ top: 0, behavior: 'smooth' });
      },
    })),
    el('td', { class: 'num', text: int(r.requests) }),
    el('td', { class: 'num', text: int(r.errors) }),
    el('td', { class: 'num', text: int(r.quota) }),
    el('td', { class: 'num', text: decimal(r.credits) }),
    el('td', { class: 'num', text: int(r.tokens) }))))));
}

// ---- text alternatives

/** A data table behind a disclosure, built only when opened (a chart's full text alternative). */
function dataTable(id, caption, head, rows) {
  const holder = $(id);
  holder.className = 'data-table';
  const details = el('details', {},
    el('summary', { text: t('table.show') }));
  details.addEventListener('toggle', () => {
    if (details.open && !details.querySelector('table')) {
      details.append(el('div', { class: 'table-wrap' }, el('table', { class: 'table compact' },
        el('caption', { class: 'sr-only', text: caption }),
        el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...rows().map((r) => el('tr', {}, ...r.map((c, i) => (i === 0
          ? el('th', { scope: 'row', text: c }) : el('td', { class: 'num', text: c })))))))));
    }
  });
  holder.replaceChildren(details);
}

// ---------------------------------------------------------------- start

function redrawAll() {
  if (!state.data) return;
  filters.render();
  render();
}

/**
 * The first stats request goes out at once, in parallel with "who am I" and with loading ECharts: a member's
 * (or an admin's with an account in the URL) first answer is then on its way before the page code is ready.
 */
function earlyRequest() {
  const view = readView();
  // An admin's request names the account; before the page knows who signs in (first page of a tab), wait.
  if (!view.account && sessionHint() !== 'member') return null;
  const period = resolvePeriod(view);
  const url = `/api/v1/stats?${apiQuery(view, period)}`;
  const answer = api(url);
  answer.catch(() => null); // handled (or ignored) when load() uses it
  return { url, period, answer };
}

function sessionHint() {
  try {
    return sessionStorage.getItem('tokenstats.role');
  } catch {
    return null;
  }
}

async function start() {
  const signedIn = whoAmI();
  const early = earlyRequest();
  state.me = await startPage('stats', signedIn);
  try {
    sessionStorage.setItem('tokenstats.role', state.me.role);
  } catch {
    // storage blocked
  }
  state.view = readView();
  if (state.me.role !== 'admin') state.view.account = '';
  history.replaceState(null, '', `?${viewQuery(state.view)}`);
  setupFilters();
  filters.render();
  window.addEventListener('popstate', () => {
    const view = readView();
    if (state.me.role !== 'admin') view.account = '';
    if (viewQuery(view).toString() === viewQuery(state.view).toString()) return; // only the #fragment moved
    state.view = view;
    filters.render();
    load();
  });
  document.addEventListener('themechange', redrawAll);
  onLangChange(() => {
    redrawAll();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.loadedAt && Date.now() - state.loadedAt > REFRESH_MS) load({ quiet: true });
  });
  let narrow = null;
  window.addEventListener('resize', () => {
    const now = $('distribution-chart').clientWidth < 560;
    if (now !== narrow && state.data && state.tab === 'distribution' && !$('models').hidden) {
      narrow = now;
      drawModelTab();
    }
  });
  await load({ early });
}

start();
