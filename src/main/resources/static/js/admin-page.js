// The admin page: users (add, list, remove) and ingest keys (create once-shown, list, revoke).
// Members never get here from the console (no link); the API answers them 403, shown as such.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { startPage, el, icons, confirmDialog, copy } from './shell.js';
import { dateTime } from './format.js';
import { browserZone } from './period.js';

const $ = (id) => document.getElementById(id);
const tz = browserZone();
let me;
let users = [];
let keys = [];

function message(id, text, kind = 'error') {
  const m = $(id);
  m.textContent = text || '';
  m.className = `form-message ${kind}`;
}

function when(value) {
  return value ? dateTime(value, tz, { seconds: false }) : '—';
}

async function loadUsers() {
  users = await api('/api/v1/admin/users');
  renderUsers();
}

function renderUsers() {
  $('users-table').replaceChildren(el('table', { class: 'table', id: 'users-list' },
    el('caption', { class: 'sr-only', text: t('users.title') }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('users.username') }),
      el('th', { scope: 'col', text: t('users.role') }),
      el('th', { scope: 'col', text: t('filter.account') }),
      el('th', { scope: 'col', class: 'hide-narrow', text: t('common.created') }),
      el('th', { scope: 'col', class: 'actions-col' }, el('span', { class: 'sr-only', text: t('common.actions') })))),
    el('tbody', {}, ...users.map((u) => el('tr', { 'data-username': u.username },
      el('th', { scope: 'row' }, el('span', { text: u.username }),
        u.username === me.username ? el('span', { class: 'badge', text: t('users.you') }) : null),
      el('td', {}, el('span', { class: `badge ${u.role === 'admin' ? 'badge-accent' : ''}`, text: t(`role.${u.role}`) })),
      el('td', { text: u.account || '—' }),
      el('td', { class: 'nowrap hide-narrow', text: when(u.created_at) }),
      el('td', { class: 'actions-col' }, u.username === me.username ? null : el('button', {
        type: 'button', class: 'button danger-ghost small', text: t('users.remove'),
        'aria-label': `${t('users.remove')}: ${u.username}`, onclick: () => removeUser(u),
      })))))));
}

async function removeUser(u) {
  const yes = await confirmDialog({
    title: t('users.removeTitle'), message: t('users.removeMessage', { name: u.username }), confirm: t('users.remove'),
  });
  if (!yes) return;
  try {
    await api(`/api/v1/admin/users/${encodeURIComponent(u.username)}`, { method: 'DELETE' });
    message('users-message', t('users.removed', { name: u.username }), 'success');
    await loadUsers();
  } catch (e) {
    message('users-message', e.message);
  }
}

async function loadKeys() {
  keys = await api('/api/v1/admin/ingest-keys');
  renderKeys();
}

function renderKeys() {
  if (!keys.length) {
    $('keys-table').replaceChildren(el('p', { class: 'muted empty-line', text: t('keys.none') }));
    return;
  }
  $('keys-table').replaceChildren(el('table', { class: 'table', id: 'keys-list' },
    el('caption', { class: 'sr-only', text: t('keys.title') }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('keys.name') }),
      el('th', { scope: 'col', class: 'hide-narrow', text: 'ID' }),
      el('th', { scope: 'col', class: 'hide-narrow', text: t('common.created') }),
      el('th', { scope: 'col', text: t('filter.status') }),
      el('th', { scope: 'col', class: 'actions-col' }, el('span', { class: 'sr-only', text: t('common.actions') })))),
    el('tbody', {}, ...keys.map((k) => el('tr', { 'data-id': k.id, class: k.revoked_at ? 'row-muted' : null },
      el('th', { scope: 'row', text: k.name || '—' }),
      el('td', { class: 'mono ellipsis hide-narrow', title: k.id, text: k.id }),
      el('td', { class: 'nowrap hide-narrow', text: when(k.created_at) }),
      el('td', {}, k.revoked_at
        ? el('span', { class: 'status status-error', title: when(k.revoked_at), text: t('keys.revoked') })
        : el('span', { class: 'status status-success', text: t('keys.active') })),
      el('td', { class: 'actions-col' }, k.revoked_at ? null : el('button', {
        type: 'button', class: 'button danger-ghost small', text: t('tokens.revoke'),
        'aria-label': `${t('tokens.revoke')}: ${k.name || k.id}`, onclick: () => revokeKey(k),
      })))))));
}

async function revokeKey(k) {
  const yes = await confirmDialog({
    title: t('keys.revokeTitle'), message: t('keys.revokeMessage', { name: k.name || k.id }), confirm: t('tokens.revoke'),
  });
  if (!yes) return;
  try {
    await api(`/api/v1/admin/ingest-keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
    message('keys-message', t('keys.revokedMessage', { name: k.name || k.id }), 'success');
    await loadKeys();
  } catch (e) {
    message('keys-message', e.message);
  }
}

function setup() {
  const role = $('user-role');
  const account = $('user-account');
  const syncAccount = () => {
    account.required = role.value === 'member';
  };
  role.addEventListener('change', syncAccount);
  syncAccount();
  $('user-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    message('users-message', '');
    const body = {
      username: $('user-name').value.trim(), password: $('user-password').value, role: role.value,
      account: account.value.trim() || null,
    };
    try {
      await api('/api/v1/admin/users', { method: 'POST', body });
      $('user-form').reset();
      syncAccount();
      message('users-message', t('users.created', { name: body.username }), 'success');
      await loadUsers();
    } catch (err) {
      message('users-message', err.message);
    }
  });
  $('key-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    message('keys-message', '');
    try {
      const created = await api('/api/v1/admin/ingest-keys', { method: 'POST', body: { name: $('key-name').value.trim() } });
      $('new-key').value = created.key;
      $('key-created').hidden = false;
      $('key-name').value = '';
      $('new-key').focus();
      $('new-key').select();
      await loadKeys();
    } catch (err) {
      message('keys-message', err.message);
    }
  });
  $('copy-key').addEventListener('click', async () => {
    const ok = await copy($('new-key').value, $('new-key'));
    $('copy-key').textContent = ok ? t('common.copied') : t('common.copy');
  });
}

async function start() {
  me = await startPage('admin');
  if (me.role !== 'admin') {
    const n = $('notice');
    n.className = 'notice notice-error';
    n.replaceChildren(el('span', { class: 'icon', html: icons.alert }),
      el('div', { class: 'notice-body' }, el('strong', { text: t('admin.only') }), el('p', { text: t('admin.onlyHint') })));
    n.hidden = false;
    return;
  }
  $('admin-content').hidden = false;
  setup();
  onLangChange(() => {
    renderUsers();
    renderKeys();
  });
  try {
    await Promise.all([loadUsers(), loadKeys()]);
  } catch (e) {
    message('users-message', e.message);
  }
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  document.getElementById('main').dataset.ready = 'true';
}

start();
