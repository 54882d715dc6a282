// The console's charts: Apache ECharts (canvas renderer) from its WebJar. Options are built from the API's
// answer as it is (category data = bucket starts, series data = exact figures), so a test can compare a chart's
// option with the API. Tooltips render in the canvas (richText), so no inline styles are needed (strict CSP).
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';
import { t } from './i18n.js';
import { bucketLabel, compact, int, decimal, percent } from './format.js';

const OTHER = '(other)';

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Colours of the current theme, read from the stylesheet's custom properties. */
export function palette() {
  const series = [];
  for (let i = 1; i <= 10; i++) series.push(css(`--chart-${i}`));
  return {
    series,
    other: css('--chart-other'),
    accent: css('--accent'),
    text: css('--text'),
    muted: css('--muted'),
    border: css('--border'),
    grid: css('--grid-line'),
    panel: css('--panel'),
    projection: css('--projection'),
  };
}

const observed = new WeakSet();
const resizer = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const c = echarts.getInstanceByDom(e.target);
      if (c && e.contentRect.width > 0) c.resize();
    }
  })
  : null;

/**
 * Draws `option` into `el` (creating the chart on first use) and resolves when the chart has finished
 * drawing. The first draw of a page is not animated, so the page is complete as soon as the data is there.
 */
export function draw(el, option, { animate = false } = {}) {
  let chart = echarts.getInstanceByDom(el);
  if (!chart) {
    chart = echarts.init(el, null, { renderer: 'canvas' });
    if (resizer && !observed.has(el)) {
      resizer.observe(el);
      observed.add(el);
    }
  }
  const drawn = new Promise((resolve) => {
    let timer = null;
    const done = () => {
      chart.off('finished', done);
      clearTimeout(timer);
      resolve(chart);
    };
    chart.on('finished', done);
    timer = setTimeout(done, 5000); // a chart in a hidden box never finishes; the page goes on without it
  });
  chart.setOption({ ...option, animation: animate, animationDuration: 300, animationDurationUpdate: 300 },
    { notMerge: true });
  return drawn;
}

export function dispose(el) {
  const chart = echarts.getInstanceByDom(el);
  if (chart) chart.dispose();
}

export function resize(el) {
  const chart = echarts.getInstanceByDom(el);
  if (chart) chart.resize();
}

function tooltip(p, extra = {}) {
  return {
    renderMode: 'richText',
    backgroundColor: p.panel,
    borderColor: p.border,
    borderWidth: 1,
    padding: [8, 10],
    textStyle: { color: p.text, fontSize: 12, lineHeight: 18 },
    confine: true,
    ...extra,
  };
}

function axes(p, categories, granularity) {
  return {
    grid: { left: 8, right: 28, top: 28, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: categories,
      boundaryGap: true,
      axisLine: { lineStyle: { color: p.border } },
      axisTick: { show: false },
      axisLabel: { color: p.muted, hideOverlap: true, formatter: (v) => bucketLabel(v, granularity) },
    },
    yAxis: {
      type: 'value',
      splitLine: { lineStyle: { color: p.grid } },
      axisLabel: { color: p.muted, formatter: (v) => compact(v) },
    },
  };
}

/**
 * Quota per bucket, as bars or as an area. `projection` (area only): {values} — per-bucket values for the
 * rest of the month, null where there is data — drawn dashed.
 */
export function consumptionOption({ consumption, granularity, kind, projection, description }) {
  const p = palette();
  const categories = consumption.map((c) => c.start);
  // Buckets that start in the future (the rest of "this month") have no data yet: no bar, no line.
  const now = Date.now();
  const quota = consumption.map((c) => (Date.parse(c.start) > now ? null : c.quota));
  const series = [];
  if (kind === 'bar') {
    series.push({
      id: 'quota', name: t('chart.quota'), type: 'bar', data: quota, barMaxWidth: 28,
      itemStyle: { color: p.accent, borderRadius: [3, 3, 0, 0] },
      emphasis: { itemStyle: { opacity: 0.85 } },
    });
  } else {
    series.push({
      id: 'quota', name: t('chart.quota'), type: 'line', data: quota, showSymbol: quota.length <= 40,
      symbolSize: 5, lineStyle: { color: p.accent, width: 2 }, itemStyle: { color: p.accent },
      areaStyle: {
        color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
          { offset: 0, color: withAlpha(p.accent, 0.35) }, { offset: 1, color: withAlpha(p.accent, 0.02) },
        ]),
      },
    });
    if (projection) {
      series.push({
        id: 'projection', name: t('chart.projection'), type: 'line', data: projection.values, showSymbol: false,
        lineStyle: { color: p.projection, width: 2, type: 'dashed' }, itemStyle: { color: p.projection },
        areaStyle: { color: withAlpha(p.projection, 0.08) },
      });
    }
  }
  const byStart = new Map(consumption.map((c) => [c.start, c]));
  return {
    aria: { enabled: true, label: { description } },
    ...axes(p, categories, granularity),
    legend: projection && kind !== 'bar'
      ? { show: true, top: 0, right: 8, textStyle: { color: p.muted }, itemWidth: 14, itemHeight: 8 } : { show: false },
    tooltip: tooltip(p, {
      trigger: 'axis',
      axisPointer: { type: kind === 'bar' ? 'shadow' : 'line' },
      formatter: (items) => {
        const list = Array.isArray(items) ? items : [items];
        const start = list[0] && list[0].axisValue;
        const c = byStart.get(start);
        const lines = [bucketLabel(start, granularity, { long: true })];
        if (c) {
          lines.push(`${t('chart.quota')}: ${int(c.quota)}`, `${t('chart.requests')}: ${int(c.requests)}`,
            `${t('chart.credits')}: ${decimal(c.credits)}`, `${t('chart.tokens')}: ${int(c.tokens)}`);
        }
        const proj = list.find((i) => i.seriesId === 'projection' && i.value !== null && i.value !== undefined);
        if (proj && (!c || c.quota === 0)) lines.push(`${t('chart.projection')}: ~${int(Math.round(proj.value))}`);
        return lines.join('\n');
      },
    }),
    series,
  };
}

/** Requests per bucket, one line per model (top 10, then "(other)"). */
export function trendsOption({ trends, granularity, description }) {
  const p = palette();
  const now = Date.now();
  const future = trends.buckets.map((b) => Date.parse(b) > now);
  const series = trends.series.map((s, i) => ({
    id: `model-${i}`, name: s.model, type: 'line', data: s.requests.map((v, j) => (future[j] ? null : v)),
    showSymbol: trends.buckets.length <= 40,
    symbolSize: 4, emphasis: { focus: 'series' },
    lineStyle: { width: 2 },
    itemStyle: { color: s.model === OTHER ? p.other : p.series[i % p.series.length] },
  }));
  return {
    aria: { enabled: true, label: { description } },
    ...axes(p, trends.buckets, granularity),
    grid: { left: 8, right: 28, top: 44, bottom: 8, containLabel: true },
    legend: {
      type: 'scroll', top: 0, left: 0, right: 0, textStyle: { color: p.muted }, itemWidth: 14, itemHeight: 8,
      pageTextStyle: { color: p.muted }, pageIconColor: p.accent, pageIconInactiveColor: p.border,
    },
    tooltip: tooltip(p, {
      trigger: 'axis',
      formatter: (items) => {
        const list = (Array.isArray(items) ? items : [items]).filter((i) => i.value !== null && i.value > 0)
          .sort((a, b) => b.value - a.value);
        const start = (Array.isArray(items) ? items : [items])[0].axisValue;
        return [bucketLabel(start, granularity, { long: true }),
          ...list.map((i) => `${i.seriesName}: ${int(i.value)}`)].join('\n');
      },
    }),
    series,
  };
}

/** Share of requests per model: a donut of the top 10 and "(other)". */
export function distributionOption({ distribution, narrow, description }) {
  const p = palette();
  const total = distribution.reduce((s, d) => s + d.requests, 0);
  const data = distribution.map((d, i) => ({
    name: d.model, value: d.requests,
    itemStyle: { color: d.model === OTHER ? p.other : p.series[i % p.series.length] },
  }));
  return {
    aria: { enabled: true, label: { description } },
    title: {
      text: int(total), subtext: t('chart.requests'), left: narrow ? 'center' : '32%', top: narrow ? '30%' : 'center',
      textAlign: 'center',
      textStyle: { color: p.text, fontSize: 20, fontWeight: 600 }, subtextStyle: { color: p.muted, fontSize: 12 },
      itemGap: 4,
    },
    legend: narrow
      ? { type: 'scroll', bottom: 0, left: 'center', textStyle: { color: p.muted }, pageTextStyle: { color: p.muted } }
      : {
        type: 'scroll', orient: 'vertical', left: '58%', top: 'middle', textStyle: { color: p.text },
        itemGap: 9, itemWidth: 12, itemHeight: 12, icon: 'roundRect',
        pageTextStyle: { color: p.muted },
        formatter: (name) => {
          const d = distribution.find((x) => x.model === name);
          return d ? `${name}  ${percent(d.share)}` : name;
        },
      },
    tooltip: tooltip(p, {
      trigger: 'item',
      formatter: (i) => `${i.name}\n${t('chart.requests')}: ${int(i.value)} (${percent(distribution[i.dataIndex].share)})`,
    }),
    series: [{
      id: 'distribution', name: t('chart.requests'), type: 'pie', radius: narrow ? ['42%', '64%'] : ['54%', '80%'],
      center: narrow ? ['50%', '38%'] : ['32%', '50%'], avoidLabelOverlap: true,
      label: { show: false }, labelLine: { show: false },
      itemStyle: { borderColor: p.panel, borderWidth: 2, borderRadius: 3 },
      emphasis: { scale: true, scaleSize: 4 },
      data,
    }],
  };
}

function withAlpha(color, alpha) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
