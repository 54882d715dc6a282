// What every console page shares: the top bar (navigation, language, theme, account menu), the signed-in
// user, small DOM helpers and the confirm dialog.
import { api, signOut } from './api.js';
import { t, currentLang, setLang, applyI18n } from './i18n.js';

export const icons = {
  logo: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="3" y="12" width="4" height="9" rx="1.2" fill="currentColor" opacity=".55"/><rect x="10" y="7" width="4" height="14" rx="1.2" fill="currentColor" opacity=".8"/><rect x="17" y="3" width="4" height="18" rx="1.2" fill="currentColor"/></svg>',
  sun: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="4.2" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M12 2.5v2.2M12 19.3v2.2M4.6 4.6l1.6 1.6M17.8 17.8l1.6 1.6M2.5 12h2.2M19.3 12h2.2M4.6 19.4l1.6-1.6M17.8 6.2l1.6-1.6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>',
  moon: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M20 14.6A8.2 8.2 0 0 1 9.4 4a8.2 8.2 0 1 0 10.6 10.6z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/></svg>',
  globe: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="1.7"/><path d="M3 12h18M12 3c2.6 2.6 3.8 5.6 3.8 9s-1.2 6.4-3.8 9c-2.6-2.6-3.8-5.6-3.8-9S9.4 5.6 12 3z" fill="none" stroke="currentColor" stroke-width="1.7"/></svg>',
  chevron: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  download: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 19h14" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  refresh: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M20 11a8 8 0 0 0-14.6-4.5M4 4v4h4M4 13a8 8 0 0 0 14.6 4.5M20 20v-4h-4" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  chart: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 20V11M10 20V5M16 20v-7M21 20H3" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round"/></svg>',
  arrowRight: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 12h14m-5-5l5 5-5 5" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  empty: '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false"><rect x="6" y="26" width="7" height="14" rx="2" fill="currentColor" opacity=".25"/><rect x="17" y="18" width="7" height="22" rx="2" fill="currentColor" opacity=".35"/><rect x="28" y="22" width="7" height="18" rx="2" fill="currentColor" opacity=".25"/><path d="M4 42h40" stroke="currentColor" stroke-width="2" stroke-linecap="round" opacity=".5"/></svg>',
  alert: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 3l9.5 17h-19L12 3z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><path d="M12 10v4.5M12 17.2v.3" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
};

/** Creates an element: el('p', {class: 'x', text: 'hi'}, child...). Text is always set as text, never as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'html') node.innerHTML = v; // only for our own icon markup
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) node.append(c);
  }
  return node;
}

let me = null;

export function viewer() {
  return me;
}

/** Asks who is signed in (a page may start this early, in parallel with its own first request). */
export function whoAmI() {
  return api('/api/v1/me');
}

/** Renders the top bar for `page` once the signed-in user is known; resolves to that user. */
export async function startPage(page, signedIn = whoAmI()) {
  applyI18n();
  me = await signedIn;
  renderTopbar(page);
  document.addEventListener('langchange', () => {
    applyI18n();
    renderTopbar(page);
  });
  document.documentElement.dataset.role = me.role;
  return me;
}

const navQuery = { value: '' };

/** Carries the current filters on the Usage Stats and Usage Logs links. */
export function setNavQuery(query) {
  navQuery.value = query ? `?${query}` : '';
  for (const a of document.querySelectorAll('[data-nav-carry]')) {
    a.href = a.dataset.navCarry + navQuery.value;
  }
}

function renderTopbar(page) {
  const bar = document.getElementById('topbar');
  if (!bar) return;
  const link = (href, key, name, carry) => el('a', {
    href: carry ? href + navQuery.value : href, 'aria-current': page === name ? 'page' : null,
    'data-nav-carry': carry ? href : null, text: t(key),
  });
  const nav = el('nav', { class: 'nav', 'aria-label': t('nav.label') },
    link('/', 'nav.stats', 'stats', true),
    link('/logs', 'nav.logs', 'logs', true),
    me.role === 'admin' ? link('/admin', 'nav.admin', 'admin', false) : null);
  const theme = document.documentElement.dataset.theme;
  const themeButton = el('button', {
    type: 'button', class: 'icon-button', id: 'theme-toggle',
    'aria-label': theme === 'dark' ? t('theme.toLight') : t('theme.toDark'),
    title: theme === 'dark' ? t('theme.toLight') : t('theme.toDark'),
    html: theme === 'dark' ? icons.sun : icons.moon,
    onclick: () => setTheme(theme === 'dark' ? 'light' : 'dark', page),
  });
  const other = currentLang() === 'zh' ? 'en' : 'zh';
  const langButton = el('button', {
    type: 'button', class: 'lang-button', id: 'lang-toggle', lang: other === 'zh' ? 'zh-CN' : 'en',
    'aria-label': t('lang.switch'), title: t('lang.switch'),
    onclick: () => {
      setLang(other);
      document.getElementById('lang-toggle')?.focus();
    },
  }, el('span', { class: 'icon', html: icons.globe }), el('span', { text: other === 'zh' ? '中文' : 'EN' }));
  bar.replaceChildren(el('div', { class: 'topbar-inner' },
    el('a', { class: 'brand', href: '/', 'aria-label': 'tokenstats' },
      el('span', { class: 'brand-mark', html: icons.logo }), el('span', { class: 'brand-name', text: 'tokenstats' })),
    nav,
    el('div', { class: 'top-actions' }, langButton, themeButton, accountMenu())));
}

function setTheme(theme, page) {
  try {
    localStorage.setItem('tokenstats.theme', theme);
  } catch {
    // storage blocked: the choice lasts for this page
  }
  document.documentElement.dataset.theme = theme;
  renderTopbar(page);
  document.getElementById('theme-toggle')?.focus();
  document.dispatchEvent(new CustomEvent('themechange'));
}

function accountMenu() {
  const wrap = el('div', { class: 'menu' });
  const button = el('button', {
    type: 'button', class: 'menu-button', id: 'account-menu-button', 'aria-haspopup': 'menu',
    'aria-expanded': 'false', 'aria-controls': 'account-menu',
  },
  el('span', { class: 'avatar', 'aria-hidden': 'true', text: (me.username || '?').slice(0, 1).toUpperCase() }),
  el('span', { class: 'menu-name', text: me.username }),
  el('span', { class: 'icon chevron', html: icons.chevron }));
  const items = [
    el('a', { role: 'menuitem', href: '/account#tokens', text: t('menu.tokens') }),
    el('a', { role: 'menuitem', href: '/account#password', text: t('menu.password') }),
  ];
  if (me.role === 'admin') {
    items.push(el('a', { role: 'menuitem', href: '/admin#users', text: t('menu.users') }),
      el('a', { role: 'menuitem', href: '/admin#ingest-keys', text: t('menu.ingestKeys') }));
  }
  const signOutItem = el('button', {
    type: 'button', role: 'menuitem', id: 'sign-out', class: 'danger-item', text: t('menu.signOut'),
    onclick: () => signOut(),
  });
  items.push(signOutItem);
  const menu = el('div', { class: 'menu-pop', id: 'account-menu', role: 'menu', hidden: true, 'aria-labelledby': 'account-menu-button' },
    el('div', { class: 'menu-head', role: 'presentation' },
      el('strong', { text: me.username }),
      el('span', { class: `badge ${me.role === 'admin' ? 'badge-accent' : ''}`, text: t(`role.${me.role}`) }),
      me.account ? el('span', { class: 'muted small', text: `${t('menu.account')}: ${me.account}` }) : null),
    el('div', { class: 'menu-sep', role: 'separator' }),
    ...items.slice(0, -1),
    el('div', { class: 'menu-sep', role: 'separator' }),
    signOutItem);
  const open = (focusFirst) => {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    if (focusFirst) items[0].focus();
  };
  const close = (refocus) => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  button.addEventListener('click', () => (menu.hidden ? open(false) : close(false)));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(true);
    }
  });
  menu.addEventListener('keydown', (e) => {
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(i + 1) % items.length].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i - 1 + items.length) % items.length].focus();
    } else if (e.key === 'Tab') {
      close(false);
    }
  });
  document.addEventListener('click', (e) => {
    if (!wrap.contains(e.target)) close(false);
  });
  wrap.append(button, menu);
  return wrap;
}

/** A modal yes/no question in a native <dialog>; resolves true when confirmed. */
export function confirmDialog({ title, message, confirm, danger = true }) {
  return new Promise((resolve) => {
    const ok = el('button', { type: 'button', class: danger ? 'button danger' : 'button primary', text: confirm });
    const cancel = el('button', { type: 'button', class: 'button', text: t('common.cancel') });
    const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      el('h2', { id: 'dialog-title', text: title }),
      el('p', { text: message }),
      el('div', { class: 'dialog-actions' }, cancel, ok));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Copies text to the clipboard, falling back to selecting it. */
export async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input) {
      input.focus();
      input.select();
    }
    return false;
  }
}
