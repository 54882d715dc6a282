// How figures look: exact integers and exact decimal strings with digit grouping, changes, durations, times in
// the viewer's zone. Figures are never rounded where the page claims to show "the" number.
import { locale, t } from './i18n.js';

const intFormats = new Map();
function intFormat() {
  const l = locale();
  if (!intFormats.has(l)) intFormats.set(l, new Intl.NumberFormat(l, { maximumFractionDigits: 0 }));
  return intFormats.get(l);
}

/** An exact integer with grouping: 1234567 -> "1,234,567". */
export function int(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return intFormat().format(n);
}

/** An exact decimal string with the integer part grouped: "12345.678" -> "12,345.678". Never goes through a float. */
export function decimal(s) {
  if (s === null || s === undefined || s === '') return '—';
  const str = String(s);
  const negative = str.startsWith('-');
  const [whole, fraction] = (negative ? str.slice(1) : str).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '-' : '') + grouped + (fraction ? `.${fraction}` : '');
}

/** A number with up to `digits` decimals (averages such as RPM), grouped. */
export function fixed(n, digits = 3) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
}

/** Short axis labels: 12.3K, 4.5M (the charts' tooltips and tables carry the exact figures). */
export function compact(n) {
  return new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function percent(ratio, digits = 1) {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 })
    .format(ratio);
}

/** The change of a figure against the previous period: {text, direction: up|down|flat|new|none}. */
export function change(current, previous) {
  const c = Number(current);
  const p = Number(previous);
  if (!Number.isFinite(c) || !Number.isFinite(p)) return { text: '—', direction: 'none' };
  if (p === 0) {
    return c === 0 ? { text: t('change.flat'), direction: 'flat' } : { text: t('change.new'), direction: 'new' };
  }
  const ratio = (c - p) / p;
  if (Math.abs(ratio) < 0.0005) return { text: '0%', direction: 'flat' };
  if (ratio > 9.99) return { text: `>+${percent(9.99, 0)}`, direction: 'up' };
  return { text: `${ratio > 0 ? '+' : '−'}${percent(Math.abs(ratio))}`, direction: ratio > 0 ? 'up' : 'down' };
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${fixed(ms, 0)} ms`;
  if (ms < 60_000) return `${fixed(ms / 1000, 2)} s`;
  return `${fixed(ms / 60_000, 1)} min`;
}

const timeFormats = new Map();
function timeFormat(tz, options) {
  const key = `${locale()}|${tz}|${JSON.stringify(options)}`;
  if (!timeFormats.has(key)) timeFormats.set(key, new Intl.DateTimeFormat(locale(), { timeZone: tz, ...options }));
  return timeFormats.get(key);
}

/** A full time in the zone, to the second: "2026-11-28 09:30:05". */
export function dateTime(value, tz, { seconds = true } = {}) {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return '—';
  const parts = {};
  for (const p of timeFormat(tz, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    second: seconds ? '2-digit' : undefined, hourCycle: 'h23',
  }).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day} ${hour}:${parts.minute}${seconds ? `:${parts.second}` : ''}`;
}

/** A short zone name for labels: "GMT+8", "EST". */
export function zoneName(tz, at = Date.now()) {
  const p = timeFormat(tz, { timeZoneName: 'short' }).formatToParts(new Date(at)).find((x) => x.type === 'timeZoneName');
  return p ? p.value : tz;
}

/**
 * A bucket label from an API bucket start ("2026-11-28T09:00:00+08:00"): its wall-clock part is already the
 * zone's local time, so the label is cut from the string itself.
 */
export function bucketLabel(start, granularity, { long = false } = {}) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(start);
  if (!m) return start;
  const [, y, mo, d, h, mi] = m;
  switch (granularity) {
    case 'minute': return long ? `${y}-${mo}-${d} ${h}:${mi}` : `${h}:${mi}`;
    case 'hour': return long ? `${y}-${mo}-${d} ${h}:00` : `${mo}-${d} ${h}:00`;
    case 'week': return long ? t('bucket.week', { date: `${y}-${mo}-${d}` }) : `${mo}-${d}`;
    case 'month': return `${y}-${mo}`;
    default: return long ? `${y}-${mo}-${d}` : `${mo}-${d}`;
  }
}
