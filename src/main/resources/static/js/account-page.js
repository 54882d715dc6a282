// The account page: profile, personal access tokens (create once-shown, list, revoke) and password change.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { startPage, el, confirmDialog, copy } from './shell.js';
import { dateTime } from './format.js';
import { browserZone } from './period.js';

const $ = (id) => document.getElementById(id);
const tz = browserZone();
let me;
let tokens = [];

function renderProfile() {
  $('profile').replaceChildren(
    el('span', { text: me.username }),
    el('span', { class: `badge ${me.role === 'admin' ? 'badge-accent' : ''}`, text: t(`role.${me.role}`) }),
    me.account ? el('span', { class: 'muted', text: `${t('filter.account')}: ${me.account}` }) : null);
}

function message(id, text, kind = 'error') {
  const m = $(id);
  m.textContent = text || '';
  m.className = `form-message ${kind}`;
}

async function loadTokens() {
  try {
    tokens = await api('/api/v1/tokens');
    renderTokens();
  } catch (e) {
    message('tokens-message', e.message);
  }
}

function renderTokens() {
  if (!tokens.length) {
    $('tokens-table').replaceChildren(el('p', { class: 'muted empty-line', id: 'no-tokens', text: t('tokens.none') }));
    return;
  }
  $('tokens-table').replaceChildren(el('table', { class: 'table', id: 'tokens-list' },
    el('caption', { class: 'sr-only', text: t('tokens.title') }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('tokens.name') }),
      el('th', { scope: 'col', class: 'hide-narrow', text: t('common.created') }),
      el('th', { scope: 'col', text: t('tokens.lastUsed') }),
      el('th', { scope: 'col', class: 'actions-col' }, el('span', { class: 'sr-only', text: t('common.actions') })))),
    el('tbody', {}, ...tokens.map((tok) => el('tr', { 'data-id': tok.id },
      el('th', { scope: 'row', text: tok.name || tok.id }),
      el('td', { class: 'nowrap hide-narrow', text: tok.created_at ? `${dateTime(tok.created_at, tz, { seconds: false })}` : '—' }),
      el('td', { class: 'nowrap', text: tok.last_used_at ? dateTime(tok.last_used_at, tz, { seconds: false }) : t('tokens.never') }),
      el('td', { class: 'actions-col' }, el('button', {
        type: 'button', class: 'button danger-ghost small', text: t('tokens.revoke'),
        'aria-label': `${t('tokens.revoke')}: ${tok.name || tok.id}`,
        onclick: () => revoke(tok),
      })))))));
}

async function revoke(tok) {
  const yes = await confirmDialog({
    title: t('tokens.revokeTitle'), message: t('tokens.revokeMessage', { name: tok.name || tok.id }), confirm: t('tokens.revoke'),
  });
  if (!yes) return;
  try {
    await api(`/api/v1/tokens/${encodeURIComponent(tok.id)}`, { method: 'DELETE' });
    message('tokens-message', t('tokens.revoked', { name: tok.name || tok.id }), 'success');
    await loadTokens();
  } catch (e) {
    message('tokens-message', e.message);
  }
}

function setupTokens() {
  $('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('token-name').value.trim();
    message('tokens-message', '');
    try {
      const created = await api('/api/v1/tokens', { method: 'POST', body: { name } });
      $('new-token').value = created.token;
      $('token-created').hidden = false;
      $('token-name').value = '';
      $('new-token').focus();
      $('new-token').select();
      await loadTokens();
    } catch (err) {
      message('tokens-message', err.message);
    }
  });
  $('copy-token').addEventListener('click', async () => {
    const ok = await copy($('new-token').value, $('new-token'));
    $('copy-token').textContent = ok ? t('common.copied') : t('common.copy');
  });
}

function setupPassword() {
  $('password-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const current = $('current-password').value;
    const next = $('new-password').value;
    if (next !== $('confirm-password').value) {
      message('password-message', t('password.mismatch'));
      $('confirm-password').focus();
      return;
    }
    try {
      await api('/api/v1/me/password', { method: 'POST', body: { current_password: current, new_password: next } });
      $('password-form').reset();
      message('password-message', t('password.changed'), 'success');
    } catch (err) {
      message('password-message', err.status === 403 ? t('password.wrong')
        : err.status === 429 ? t('password.tooMany') : err.message);
    }
  });
}

async function start() {
  me = await startPage('account');
  renderProfile();
  setupTokens();
  setupPassword();
  onLangChange(() => {
    renderProfile();
    renderTokens();
  });
  await loadTokens();
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  document.getElementById('main').dataset.ready = 'true';
}

start();
