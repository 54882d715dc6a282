// The view a page shows, as it lives in the URL (so it can be bookmarked and shared), and the calendar maths
// that turns a period preset into the exact [from, to) instants the API is asked for, in any IANA zone.

export const PRESETS = ['24h', '7d', '30d', '90d', 'month', 'custom'];
export const GRANULARITIES = ['auto', 'minute', 'hour', 'day', 'week', 'month'];
const DAYS = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 };
const MINUTE = 60_000;

export function browserZone() {
  try {
    return modernZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  } catch {
    return 'UTC';
  }
}

export function isZone(tz) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Browsers (ICU) still list some zones under their old names; the zone picker shows today's IANA names.
const RENAMED = {
  'Asia/Calcutta': 'Asia/Kolkata', 'Asia/Katmandu': 'Asia/Kathmandu', 'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon', 'Europe/Kiev': 'Europe/Kyiv', 'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe', 'Pacific/Enderbury': 'Pacific/Kanton', 'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei', 'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca', 'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy', 'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Indianapolis': 'America/Indiana/Indianapolis', 'America/Louisville': 'America/Kentucky/Louisville',
  'Asia/Ulan_Bator': 'Asia/Ulaanbaatar', 'Asia/Thimbu': 'Asia/Thimphu', 'Asia/Dacca': 'Asia/Dhaka',
  'Asia/Macao': 'Asia/Macau', 'Asia/Ujung_Pandang': 'Asia/Makassar', 'Africa/Asmera': 'Africa/Asmara',
  'America/Coral_Harbour': 'America/Atikokan', 'Atlantic/Jan_Mayen': 'Arctic/Longyearbyen',
};

/** Today's IANA name of a zone. */
export function modernZone(tz) {
  return RENAMED[tz] || tz;
}

/** Every IANA zone the browser knows, with the chosen one and UTC always present. */
export function zones(selected) {
  let list = [];
  try {
    list = Intl.supportedValuesOf('timeZone').map(modernZone);
  } catch {
    list = [];
  }
  const all = new Set(list);
  all.add('UTC');
  if (selected) all.add(selected);
  return [...all].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

const partsFormats = new Map();
function partsFormat(tz) {
  let f = partsFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsFormats.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone: {year, month (1-12), day, hour, minute, second}. */
export function wallClock(ms, tz) {
  const out = {};
  for (const p of partsFormat(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** The zone's offset from UTC at an instant, in ms. */
export function offsetAt(ms, tz) {
  const w = wallClock(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time ("YYYY-MM-DDTHH:mm") has in a zone (the earlier one when it occurs twice). */
export function zonedInstant(local, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(local || '');
  if (!m) return NaN;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
  const before = offsetAt(guess - 86_400_000, tz);
  const after = offsetAt(guess + 86_400_000, tz);
  const valid = [before, after].map((o) => guess - o).filter((t) => offsetAt(t, tz) === guess - t);
  // Twice (fall back): the earlier instant. Never (spring forward gap): the wall time read with the old offset.
  return valid.length ? Math.min(...valid) : guess - before;
}

/** "YYYY-MM-DDTHH:mm" of an instant in a zone, as a datetime-local input shows it. */
export function localInput(ms, tz) {
  const w = wallClock(ms, tz);
  const p = (n) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
}

function ceilMinute(ms) {
  return Math.ceil(ms / MINUTE) * MINUTE;
}

function monthStart(year, month, tz) {
  const y = year + Math.floor((month - 1) / 12);
  const mo = ((month - 1) % 12 + 12) % 12 + 1;
  return zonedInstant(`${y}-${String(mo).padStart(2, '0')}-01T00:00`, tz);
}

/**
 * The [from, to) instants (ms) of a view at time `now`. Rolling presets end at the next whole minute;
 * "this month" is the whole calendar month in the view's zone (its future part is empty, and projected).
 */
export function resolvePeriod(view, now = Date.now()) {
  if (view.period === 'custom') {
    const from = zonedInstant(view.from, view.tz);
    const to = zonedInstant(view.to, view.tz);
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { from, to };
    return null;
  }
  if (view.period === 'month') {
    const w = wallClock(now, view.tz);
    return { from: monthStart(w.year, w.month, view.tz), to: monthStart(w.year, w.month + 1, view.tz) };
  }
  const to = ceilMinute(now);
  return { from: to - DAYS[view.period] * 24 * 60 * MINUTE, to };
}

/** RFC 3339 in UTC, whole seconds. */
export function rfc3339(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether the period is the calendar month that contains `now` (in the view's zone). */
export function isCurrentMonth(view, period, now = Date.now()) {
  if (!period) return false;
  const w = wallClock(now, view.tz);
  return period.from === monthStart(w.year, w.month, view.tz) && period.to === monthStart(w.year, w.month + 1, view.tz);
}

/** The view a URL asks for; missing or bad values fall back to the defaults. */
export function readView(search = location.search) {
  const q = new URLSearchParams(search);
  const tz = q.get('tz');
  const view = {
    period: PRESETS.includes(q.get('period')) ? q.get('period') : '7d',
    from: q.get('from') || '',
    to: q.get('to') || '',
    tz: tz && isZone(tz) ? tz : browserZone(),
    granularity: GRANULARITIES.includes(q.get('granularity')) ? q.get('granularity') : 'auto',
    models: unique(q.getAll('model')),
    keys: unique(q.getAll('key')),
    status: q.getAll('status').filter((s) => s === 'success' || s === 'error'),
    account: q.get('account') || '',
  };
  if (view.period === 'custom' && !resolvePeriod(view)) {
    view.period = '7d';
  }
  if (view.status.length === 2) view.status = [];
  return view;
}

function unique(values) {
  return [...new Set(values.filter((v) => v !== ''))];
}

/** The query string of a view (what the page's URL carries). `extra` adds page-specific parameters. */
export function viewQuery(view, { granularity = true, status = true } = {}) {
  const q = new URLSearchParams();
  if (view.account) q.set('account', view.account);
  q.set('period', view.period);
  if (view.period === 'custom') {
    q.set('from', view.from);
    q.set('to', view.to);
  }
  q.set('tz', view.tz);
  if (granularity) q.set('granularity', view.granularity);
  for (const m of view.models) q.append('model', m);
  for (const k of view.keys) q.append('key', k);
  if (status) for (const s of view.status) q.append('status', s);
  return q;
}

/** The API query (from, to as RFC 3339, filters) of a view over a resolved period. */
export function apiQuery(view, period, { tz = true, granularity = true } = {}) {
  const q = new URLSearchParams();
  if (view.account) q.set('account', view.account);
  q.set('from', rfc3339(period.from));
  q.set('to', rfc3339(period.to));
  if (tz) q.set('tz', view.tz);
  if (granularity) q.set('granularity', view.granularity);
  for (const m of view.models) q.append('model', m);
  for (const k of view.keys) q.append('key', k);
  for (const s of view.status) q.append('status', s);
  return q;
}
