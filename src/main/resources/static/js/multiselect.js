// A filter that picks several values (models, keys): a button opening a small panel of checkboxes with a search
// box that also adds values not listed. Native checkboxes and buttons, so it works by keyboard; Escape closes.
import { el } from './shell.js';
import { t } from './i18n.js';

/**
 * @param id      element id prefix (tests and labels use it)
 * @param label   () => visible name ("Model")
 * @param options async () => list of known values
 * @param onApply (values) => void
 */
export function multiSelect({ id, label, options, onApply }) {
  let selected = [];
  let pending = new Set();
  let known = [];
  const button = el('button', {
    type: 'button', class: 'select-button', id: `${id}-button`, 'aria-haspopup': 'dialog', 'aria-expanded': 'false',
    'aria-controls': `${id}-panel`,
  });
  const search = el('input', { type: 'search', id: `${id}-search`, class: 'input', autocomplete: 'off' });
  const list = el('div', { class: 'ms-list', id: `${id}-list`, role: 'group' });
  const hint = el('p', { class: 'ms-hint muted small' });
  const clear = el('button', { type: 'button', class: 'button ghost small', id: `${id}-clear` });
  const apply = el('button', { type: 'button', class: 'button primary small', id: `${id}-apply` });
  const panel = el('div', { class: 'ms-panel', id: `${id}-panel`, role: 'dialog', hidden: true },
    search, list, hint, el('div', { class: 'ms-actions' }, clear, apply));
  const caption = el('span', { class: 'field-label', id: `${id}-label` });
  const root = el('div', { class: 'ms', id }, caption, button, panel);

  function renderButton() {
    const name = label();
    const text = selected.length === 0 ? t('filter.all')
      : selected.length === 1 ? selected[0] : t('filter.count', { n: selected.length });
    caption.textContent = name;
    button.replaceChildren(el('span', { class: `select-value${selected.length ? ' active' : ''}`, text }));
    button.setAttribute('aria-label', `${name}: ${text}`);
    search.placeholder = t('filter.searchOrAdd');
    search.setAttribute('aria-label', t('filter.searchOrAdd'));
    panel.setAttribute('aria-label', name);
    clear.textContent = t('filter.clear');
    apply.textContent = t('filter.apply');
  }

  function renderList() {
    const filter = search.value.trim().toLowerCase();
    const values = [...new Set([...selected, ...pending, ...known])];
    const shown = values.filter((v) => !filter || v.toLowerCase().includes(filter));
    list.replaceChildren(...shown.map((v) => el('label', { class: 'ms-option' },
      el('input', {
        type: 'checkbox', value: v, checked: pending.has(v),
        onchange: (e) => (e.target.checked ? pending.add(v) : pending.delete(v)),
      }),
      el('span', { text: v }))));
    const typed = search.value.trim();
    hint.textContent = typed && !values.includes(typed) ? t('filter.enterToAdd', { value: typed })
      : shown.length === 0 ? t('filter.none') : '';
  }

  async function open() {
    pending = new Set(selected);
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    search.value = '';
    renderList();
    search.focus();
    try {
      known = await options();
    } catch {
      known = [];
    }
    if (!panel.hidden) renderList();
  }

  function close(refocus) {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }

  button.addEventListener('click', () => (panel.hidden ? open() : close(false)));
  search.addEventListener('input', renderList);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const typed = search.value.trim();
      if (!typed) return;
      if (!known.includes(typed)) known = [typed, ...known];
      pending.add(typed);
      search.value = '';
      renderList();
    }
  });
  clear.addEventListener('click', () => {
    pending.clear();
    renderList();
  });
  apply.addEventListener('click', () => {
    const values = [...new Set([...selected, ...known])].filter((v) => pending.has(v));
    close(true);
    onApply(values);
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    }
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !root.contains(e.target)) close(false);
  });
  root.addEventListener('focusout', (e) => {
    if (!panel.hidden && e.relatedTarget && !root.contains(e.relatedTarget)) close(false); // tabbed away
  });

  return {
    root,
    set(values) {
      selected = [...values];
      renderButton();
    },
    relabel: renderButton,
  };
}
