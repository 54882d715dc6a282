// The Usage Logs page: every call of the account, newest first, a page at a time (keyset cursors from
// GET /api/v1/logs, kept on a stack for "previous"), the same filters as Usage Stats in the URL, and the
// whole selection as CSV from GET /api/v1/logs.csv.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { startPage, setNavQuery, el, icons } from './shell.js';
import { readView, viewQuery, apiQuery, resolvePeriod } from './period.js';
import { int, decimal, dateTime, zoneName, duration } from './format.js';
import { filterBar } from './filters.js';

const $ = (id) => document.getElementById(id);
const main = $('main');
const SIZES = [20, 50, 100, 200];

const state = {
  me: null,
  view: null,
  period: null,
  size: 50,
  cursors: [null], // cursors[i] is the cursor of page i (page 0 has none)
  page: null,
  controller: null,
  seenKeys: new Set(),
  open: new Set(),
};

let filters;

function sizeFrom(search) {
  const n = Number(new URLSearchParams(search).get('limit'));
  return SIZES.includes(n) ? n : 50;
}

function pageQuery() {
  const q = viewQuery(state.view, { granularity: false });
  if (state.size !== 50) q.set('limit', String(state.size));
  return q;
}

function navigate(view, { push = true } = {}) {
  state.view = view;
  const q = pageQuery();
  if (push) history.pushState(null, '', `?${q}`);
  else history.replaceState(null, '', `?${q}`);
  filters.render();
  restart();
}

/** A new selection: the period is fixed now (so paging is stable) and paging starts over. */
function restart() {
  state.period = resolvePeriod(state.view);
  state.cursors = [null];
  state.open.clear();
  syncLinks();
  load();
}

function syncLinks() {
  setNavQuery(viewQuery(state.view, { granularity: false }).toString());
  $('stats-link').href = `/?${viewQuery(state.view, { granularity: false })}`;
}

function apiParams() {
  return apiQuery(state.view, state.period, { tz: false, granularity: false });
}

async function load() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const wrap = $('logs-table-wrap');
  wrap.setAttribute('aria-busy', 'true');
  main.classList.add('is-refreshing');
  setPager(true);
  try {
    if (state.me.role === 'admin') {
      await loadAccounts(controller.signal);
      if (!state.view.account) {
        showNotice(t('stats.noAccounts'));
        return;
      }
    }
    const exportQuery = apiParams();
    $('export').href = `/api/v1/logs.csv?${exportQuery}`;
    const q = apiParams();
    q.set('limit', String(state.size));
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) q.set('cursor', cursor);
    const url = `/api/v1/logs?${q}`;
    main.dataset.logsUrl = url;
    const page = await api(url, { signal: controller.signal });
    if (controller.signal.aborted) return;
    state.page = page;
    for (const item of page.items) if (item.key) state.seenKeys.add(item.key);
    $('notice').hidden = true;
    render();
    main.dataset.rendered = url;
  } catch (e) {
    if (e.name === 'AbortError') return;
    showNotice(e.message || t('error.generic'), true);
    main.dataset.rendered = `error:${main.dataset.logsUrl || ''}`;
  } finally {
    if (state.controller === controller) {
      wrap.setAttribute('aria-busy', 'false');
      main.classList.remove('is-refreshing');
      setPager(false);
    }
  }
}

async function loadAccounts(signal) {
  const q = new URLSearchParams({ from: new Date(state.period.from).toISOString(), to: new Date(state.period.to).toISOString() });
  const ranking = await api(`/api/v1/admin/accounts?${q}`, { signal });
  const names = ranking.accounts.map((a) => a.account);
  if (!state.view.account) {
    const pick = state.me.account && names.includes(state.me.account) ? state.me.account : names[0] || state.me.account;
    if (pick) {
      state.view = { ...state.view, account: pick };
      history.replaceState(null, '', `?${pageQuery()}`);
      syncLinks();
    }
  }
  filters.accounts(names, state.view.account);
}

function showNotice(message, retry = false) {
  const n = $('notice');
  n.className = 'notice notice-error';
  n.setAttribute('role', 'alert');
  n.replaceChildren(el('span', { class: 'icon', html: icons.alert }),
    el('div', { class: 'notice-body' }, el('strong', { text: t('error.title') }), el('p', { text: message })),
    retry ? el('button', { type: 'button', class: 'button small', id: 'retry', text: t('common.retry'), onclick: () => load() }) : null);
  n.hidden = false;
}

function setPager(busy) {
  const prev = $('prev-page');
  const next = $('next-page');
  prev.textContent = `‹ ${t('logs.previous')}`;
  next.textContent = `${t('logs.next')} ›`;
  prev.disabled = busy || state.cursors.length <= 1;
  next.disabled = busy || !state.page || !state.page.next_cursor;
}

function render() {
  const items = state.page.items;
  const tz = state.view.tz;
  const index = state.cursors.length - 1;
  const first = index * state.size + 1;
  $('page-info').textContent = items.length
    ? t('logs.pageInfo', { page: int(index + 1), from: int(first), to: int(first + items.length - 1) })
    : t('logs.pageInfoEmpty', { page: int(index + 1) });
  $('status-line').textContent = t('logs.sub', { tz, zone: zoneName(tz) });
  const empty = $('empty');
  empty.hidden = items.length > 0;
  if (!items.length) {
    empty.replaceChildren(el('span', { class: 'empty-icon', html: icons.empty }),
      el('h2', { text: t('logs.empty') }),
      el('p', { class: 'muted', text: state.view.models.length + state.view.keys.length + state.view.status.length
        ? t('empty.filtered') : t('empty.hint') }));
  }
  const admin = state.me.role === 'admin';
  const head = [t('logs.time'), t('filter.key'), t('table.model'), t('logs.tokens'), t('chart.quota'), t('chart.credits'),
    t('logs.duration'), t('filter.status'), t('logs.details')];
  const numeric = [false, false, false, true, true, true, true, false, false];
  const body = el('tbody', {});
  for (const item of items) {
    const detailsId = `details-${cssId(item.id)}`;
    const expanded = state.open.has(item.id);
    const toggle = el('button', {
      type: 'button', class: 'button ghost small details-button', 'aria-expanded': String(expanded),
      'aria-controls': detailsId, text: expanded ? t('logs.hide') : t('logs.show'),
      'aria-label': `${expanded ? t('logs.hide') : t('logs.show')}: ${item.id}`,
    });
    const row = el('tr', { 'data-id': item.id, class: item.status === 'error' ? 'row-error' : null },
      el('td', { class: 'nowrap time-cell', 'data-time': item.time, text: dateTime(item.time, tz) }),
      el('td', { class: 'mono ellipsis', 'data-label': head[1], title: item.key, text: item.key || '—' }),
      el('td', { class: 'ellipsis model-text', 'data-label': head[2], title: item.model, text: item.model }),
      el('td', { class: 'num nowrap', 'data-label': head[3] },
        el('span', { class: 'cell-main', text: `${int(item.prompt_tokens)} / ${int(item.completion_tokens)}` }),
        item.cached_tokens ? el('span', { class: 'cell-sub', text: t('logs.cached', { n: int(item.cached_tokens) }) }) : null),
      el('td', { class: 'num', 'data-label': head[4], text: int(item.quota) }),
      el('td', { class: 'num', 'data-label': head[5], text: decimal(item.credits) }),
      el('td', { class: 'num nowrap', 'data-label': head[6], text: duration(item.duration_ms) }),
      el('td', { class: 'status-cell' }, el('span', { class: `status status-${item.status}`, text: t(`status.${item.status}`) })),
      el('td', { class: 'details-cell' }, toggle));
    const details = el('tr', { class: 'details-row', id: detailsId, hidden: !expanded },
      el('td', { colspan: String(head.length) }, detailsList(item, admin, tz)));
    toggle.addEventListener('click', () => {
      const open = details.hidden;
      details.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? t('logs.hide') : t('logs.show');
      toggle.setAttribute('aria-label', `${open ? t('logs.hide') : t('logs.show')}: ${item.id}`);
      if (open) state.open.add(item.id);
      else state.open.delete(item.id);
    });
    body.append(row, details);
  }
  const table = el('table', { class: 'table logs-table', id: 'logs-table' },
    el('caption', { class: 'sr-only', text: t('logs.caption', { tz }) }),
    el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: numeric[i] ? 'num' : null, text: h })))),
    body);
  $('logs-table-wrap').replaceChildren(items.length ? table : '');
}

function detailsList(item, admin, tz) {
  const pairs = [
    [t('logs.id'), item.id, 'mono'],
    [t('logs.time'), `${dateTime(item.time, tz)} (${tz}) · ${item.time}`],
    [t('logs.promptTokens'), int(item.prompt_tokens)],
    [t('logs.completionTokens'), int(item.completion_tokens)],
    [t('logs.cachedTokens'), int(item.cached_tokens)],
    [t('logs.stream'), item.stream === null || item.stream === undefined ? '—' : item.stream ? t('common.yes') : t('common.no')],
    [t('logs.group'), item.group || '—'],
  ];
  if (admin) {
    pairs.push([t('filter.account'), item.account || '—'], [t('logs.channel'), item.channel || '—']);
  }
  return el('dl', { class: 'details-list' }, ...pairs.map(([k, v, cls]) => el('div', {},
    el('dt', { text: k }), el('dd', { class: cls || null, text: v }))));
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

async function modelOptions() {
  if (!state.period) return [];
  const q = apiQuery({ ...state.view, models: [] }, state.period, { granularity: false });
  q.set('granularity', 'auto');
  const stats = await api(`/api/v1/stats?${q}`);
  return stats.models.leaderboard.map((m) => m.model);
}

async function keyOptions() {
  if (!state.period) return [...state.seenKeys].sort();
  const q = apiQuery({ ...state.view, keys: [] }, state.period, { tz: false, granularity: false });
  q.set('limit', '1000');
  const page = await api(`/api/v1/logs?${q}`);
  for (const item of page.items) if (item.key) state.seenKeys.add(item.key);
  return [...state.seenKeys].sort();
}

async function start() {
  state.me = await startPage('logs');
  state.view = readView();
  state.size = sizeFrom(location.search);
  if (state.me.role !== 'admin') state.view.account = '';
  history.replaceState(null, '', `?${pageQuery()}`);
  $('stats-link-icon').innerHTML = icons.chart;
  $('export-icon').innerHTML = icons.download;
  filters = filterBar({
    view: () => state.view, period: () => state.period, navigate, modelOptions, keyOptions, status: true,
  });
  filters.render();
  const size = $('page-size');
  size.value = String(state.size);
  size.addEventListener('change', () => {
    state.size = Number(size.value);
    navigate(state.view);
  });
  $('next-page').addEventListener('click', () => {
    if (!state.page || !state.page.next_cursor) return;
    state.cursors.push(state.page.next_cursor);
    load().then(() => $('logs').scrollIntoView({ block: 'start' }));
  });
  $('prev-page').addEventListener('click', () => {
    if (state.cursors.length <= 1) return;
    state.cursors.pop();
    load();
  });
  window.addEventListener('popstate', () => {
    const view = readView();
    if (state.me.role !== 'admin') view.account = '';
    const before = pageQuery().toString();
    const previous = { view: state.view, size: state.size };
    state.view = view;
    state.size = sizeFrom(location.search);
    if (pageQuery().toString() === before) { // only the #fragment moved
      state.view = previous.view;
      return;
    }
    size.value = String(state.size);
    filters.render();
    restart();
  });
  onLangChange(() => {
    filters.render();
    setPager(false);
    if (state.page) render();
  });
  restart();
}

start();
