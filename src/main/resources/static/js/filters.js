// The filter bar both pages share: account (admins), period presets and custom range, granularity (stats), time
// zone, model and key filters, status (logs). It only edits the view; the page puts the view in the URL and loads.
import { t } from './i18n.js';
import { el } from './shell.js';
import { resolvePeriod, localInput, zones, PRESETS, GRANULARITIES } from './period.js';
import { multiSelect } from './multiselect.js';

const $ = (id) => document.getElementById(id);

/** Arrow keys move between the radios of a segmented control (roving tabindex) and choose. */
export function radioKeys(group, choose) {
  group.onkeydown = (e) => {
    const buttons = [...group.querySelectorAll('[role=radio]')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = (i + 1) % buttons.length;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = (i - 1 + buttons.length) % buttons.length;
    if (j >= 0) {
      e.preventDefault();
      buttons[j].focus();
      choose(buttons[j]);
    }
  };
}

/** Radio buttons of a segmented control. */
export function segments(group, values, current, label, choose, idPrefix) {
  group.replaceChildren(...values.map((v) => el('button', {
    type: 'button', role: 'radio', class: 'seg', id: `${idPrefix}-${v}`, 'data-value': v,
    'aria-checked': String(current === v), tabindex: current === v ? '0' : '-1', text: label(v),
    onclick: () => choose(v),
  })));
  radioKeys(group, (b) => choose(b.dataset.value));
}

/**
 * @param view       () => the current view
 * @param period     () => the resolved period of the current view (or null)
 * @param navigate   (view) => void
 * @param modelOptions, keyOptions  async () => known values
 * @param granularity, status  whether the bar has those controls
 */
export function filterBar({ view, period, navigate, modelOptions, keyOptions, granularity = false, status = false }) {
  const models = multiSelect({
    id: 'model-filter', label: () => t('filter.model'), options: modelOptions,
    onApply: (values) => navigate({ ...view(), models: values }),
  });
  const keys = multiSelect({
    id: 'key-filter', label: () => t('filter.key'), options: keyOptions,
    onApply: (values) => navigate({ ...view(), keys: values }),
  });
  $('model-field').append(models.root);
  $('key-field').append(keys.root);

  if (granularity) {
    $('granularity').addEventListener('change', (e) => navigate({ ...view(), granularity: e.target.value }));
  }
  $('tz').addEventListener('change', (e) => navigate({ ...view(), tz: e.target.value }));
  $('account').addEventListener('change', (e) => navigate({ ...view(), account: e.target.value, models: [], keys: [] }));
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = { ...view(), period: 'custom', from: $('from').value, to: $('to').value };
    const error = $('range-error');
    if (!resolvePeriod(v)) {
      if (!error) {
        $('custom-range').append(el('p', { class: 'field-error', id: 'range-error', role: 'alert', text: t('filter.badRange') }));
      }
      return;
    }
    error?.remove();
    navigate(v);
  });

  function choosePeriod(p) {
    const v = view();
    if (p === 'custom') {
      if (v.period !== 'custom') {
        const range = period() || resolvePeriod({ ...v, period: '7d' });
        navigate({ ...v, period: 'custom', from: localInput(range.from, v.tz), to: localInput(range.to, v.tz) });
      }
    } else if (p !== v.period) {
      navigate({ ...v, period: p });
    }
    $(`period-${p}`)?.focus();
  }

  function chip(name, value, remove) {
    return el('span', { class: 'chip' },
      el('span', { class: 'chip-name', text: `${name}:` }), el('span', { class: 'chip-value', text: value }),
      el('button', {
        type: 'button', class: 'chip-remove', 'aria-label': t('filter.remove', { value }), text: '×', onclick: remove,
      }));
  }

  function render() {
    const v = view();
    segments($('period'), PRESETS, v.period, (p) => t(`period.${p}`), choosePeriod, 'period');
    $('custom-range').hidden = v.period !== 'custom';
    if (v.period === 'custom') {
      $('from').value = v.from;
      $('to').value = v.to;
    }
    if (granularity) {
      $('granularity').replaceChildren(...GRANULARITIES.map((g) => el('option', {
        value: g, selected: g === v.granularity, text: t(`granularity.${g}`),
      })));
    }
    const tz = $('tz');
    if (tz.dataset.filled !== v.tz) {
      tz.replaceChildren(...zones(v.tz).map((z) => el('option', { value: z, text: z })));
      tz.dataset.filled = v.tz;
    }
    tz.value = v.tz;
    if (status) {
      const current = v.status.length === 1 ? v.status[0] : 'all';
      segments($('status'), ['all', 'success', 'error'], current, (s) => t(`status.${s}`),
        (s) => {
          if (s !== current) navigate({ ...view(), status: s === 'all' ? [] : [s] });
          $(`status-${s}`)?.focus();
        }, 'status');
    }
    models.set(v.models);
    keys.set(v.keys);
    const chips = $('chips');
    chips.replaceChildren(
      ...v.models.map((m) => chip(t('filter.model'), m, () => navigate({ ...view(), models: v.models.filter((x) => x !== m) }))),
      ...v.keys.map((k) => chip(t('filter.key'), k, () => navigate({ ...view(), keys: v.keys.filter((x) => x !== k) }))),
      // a status filter carried over from the logs page, where it has its own control
      ...(status ? [] : v.status.map((x) => chip(t('filter.status'), t(`status.${x}`), () => navigate({ ...view(), status: [] })))),
    );
    if (v.models.length + v.keys.length > 1) {
      chips.append(el('button', {
        type: 'button', class: 'link-button small', id: 'clear-filters', text: t('filter.clearAll'),
        onclick: () => navigate({ ...view(), models: [], keys: [] }),
      }));
    }
    chips.hidden = chips.childElementCount === 0;
  }

  /** Fills the admin's account picker. */
  function accounts(names, current) {
    $('account-field').hidden = false;
    const list = names.includes(current) || !current ? names : [current, ...names];
    $('account').replaceChildren(...list.map((a) => el('option', { value: a, text: a })));
    $('account').value = current;
  }

  return { render, accounts };
}
