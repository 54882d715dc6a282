// The sign-in page (public, so self-contained: it cannot load the console's modules before sign-in).
// Runs in <head>: picks theme and language first (as the console does), then signs in with the form's fields,
// sending the CSRF token from the XSRF-TOKEN cookie as X-XSRF-TOKEN (Spring Security's single-page-app setup),
// and opens the page asked for with ?next= (same site only).
(function () {
  var root = document.documentElement;
  var TEXT = {
    en: {
      title: 'Sign in', sub: 'Usage statistics for your LLM API gateway', username: 'Username', password: 'Password',
      submit: 'Sign in', busy: 'Signing in…', wrong: 'Wrong username or password.', missing: 'Enter your username and password.',
      tooMany: 'Too many failed sign-ins. Try again in {s} seconds.',
      expired: 'The page was open too long. Reload it and sign in again.',
      network: 'Could not reach tokenstats. Check the connection and try again.',
      dark: 'Dark theme', light: 'Light theme', page: 'Sign in · tokenstats',
    },
    zh: {
      title: '登录', sub: '面向 LLM API 网关的使用统计', username: '用户名', password: '密码',
      submit: '登录', busy: '正在登录…', wrong: '用户名或密码错误。', missing: '请输入用户名和密码。',
      tooMany: '登录失败次数过多，请在 {s} 秒后重试。',
      expired: '页面打开时间过长，请刷新后重新登录。',
      network: '无法连接 tokenstats，请检查网络后重试。',
      dark: '深色主题', light: '浅色主题', page: '登录 · tokenstats',
    },
  };

  function stored(key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function store(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (e) {
      // storage blocked: the choice lasts for this page
    }
  }

  var theme = stored('tokenstats.theme');
  if (theme !== 'light' && theme !== 'dark') {
    theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  var lang = stored('tokenstats.lang');
  if (lang !== 'en' && lang !== 'zh') {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
    lang = 'en';
    for (var i = 0; i < wanted.length; i++) {
      var l = String(wanted[i]).toLowerCase();
      if (l.indexOf('zh') === 0) { lang = 'zh'; break; }
      if (l.indexOf('en') === 0) { break; }
    }
  }
  root.setAttribute('data-theme', theme);
  root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');

  function t(key) {
    return TEXT[lang][key];
  }

  function csrfToken() {
    var cookie = document.cookie.split('; ').find(function (c) { return c.indexOf('XSRF-TOKEN=') === 0; });
    return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : '';
  }

  function next() {
    var target = new URLSearchParams(location.search).get('next') || '/';
    return target.charAt(0) === '/' && target.indexOf('//') !== 0 && target.indexOf('/\\') !== 0 ? target : '/';
  }

  function render() {
    document.title = t('page');
    document.querySelectorAll('[data-t]').forEach(function (node) {
      node.textContent = t(node.getAttribute('data-t'));
    });
    var langButton = document.getElementById('lang-toggle');
    langButton.textContent = lang === 'zh' ? 'English' : '中文';
    langButton.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    document.getElementById('theme-toggle').textContent = theme === 'dark' ? t('light') : t('dark');
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('sign-in');
    var message = document.getElementById('message');
    var submit = document.getElementById('submit');
    render();

    document.getElementById('lang-toggle').addEventListener('click', function () {
      lang = lang === 'zh' ? 'en' : 'zh';
      store('tokenstats.lang', lang);
      root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
      message.textContent = '';
      render();
    });
    document.getElementById('theme-toggle').addEventListener('click', function () {
      theme = theme === 'dark' ? 'light' : 'dark';
      store('tokenstats.theme', theme);
      root.setAttribute('data-theme', theme);
      render();
    });

    function fail(text) {
      message.textContent = text;
      submit.disabled = false;
      submit.textContent = t('submit');
      form.classList.add('failed');
      document.getElementById('password').focus();
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      form.classList.remove('failed');
      message.textContent = '';
      if (!form.username.value || !form.password.value) {
        fail(t('missing'));
        return;
      }
      submit.disabled = true;
      submit.textContent = t('busy');
      fetch('/login', {
        method: 'POST',
        headers: { 'X-XSRF-TOKEN': csrfToken(), 'Accept': 'application/json' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      }).then(function (response) {
        if (response.ok) {
          location.assign(next());
        } else if (response.status === 429) {
          fail(t('tooMany').replace('{s}', response.headers.get('Retry-After') || '60'));
        } else if (response.status === 403) {
          fail(t('expired'));
        } else {
          fail(t('wrong'));
        }
      }, function () {
        fail(t('network'));
      });
    });
  });
})();
