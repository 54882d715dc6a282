// Signs in with the form's fields, sending the CSRF token from the XSRF-TOKEN cookie as X-XSRF-TOKEN
// (Spring Security's single-page-app setup), then opens the page asked for with ?next= (same site only).
const form = document.getElementById('sign-in');
const message = document.getElementById('message');

function csrfToken() {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
  return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : '';
}

function next() {
  const target = new URLSearchParams(location.search).get('next') || '/';
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\') ? target : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = '';
  const response = await fetch('/login', {
    method: 'POST',
    headers: { 'X-XSRF-TOKEN': csrfToken(), 'Accept': 'application/json' },
    body: new URLSearchParams(new FormData(form)),
    credentials: 'same-origin',
  });
  if (response.ok) {
    location.assign(next());
  } else if (response.status === 429) {
    message.textContent = `Too many failed sign-ins. Try again in ${response.headers.get('Retry-After')} seconds.`;
  } else if (response.status === 403) {
    message.textContent = 'The page was open too long. Reload it and sign in again.';
  } else {
    message.textContent = 'Wrong username or password.';
  }
});
