// Runs before the first paint (a classic script in <head>, no inline code): picks the theme and language
// so a dark-mode page never flashes white and a Chinese page never flashes English.
(function () {
  var root = document.documentElement;
  var theme = null;
  var lang = null;
  try {
    theme = localStorage.getItem('tokenstats.theme');
    lang = localStorage.getItem('tokenstats.lang');
  } catch (e) {
    // storage blocked: follow the browser
  }
  if (theme !== 'light' && theme !== 'dark') {
    theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
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
})();
