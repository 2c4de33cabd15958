// The login page: the only page served without a session.
import './style.css';

const form = document.getElementById('login') as HTMLFormElement;
const error = document.getElementById('login-error')!;
const button = form.querySelector('button')!;

/** Only a path of this site: never an address elsewhere. */
function nextPath(): string {
  const n = new URLSearchParams(location.search).get('next') ?? '';
  return /^\/(?!\/)[^\s\\]*$/.test(n) && !n.startsWith('/login') && !n.startsWith('/api/') ? n : '/services';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(form);
  error.textContent = '';
  button.disabled = true;
  fetch('/api/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user: String(data.get('user') ?? ''), password: String(data.get('password') ?? '') }),
  }).then(async (res) => {
    if (res.ok) { location.href = nextPath(); return; }
    const body = await res.json().catch(() => ({})) as { error?: string; message?: string };
    error.textContent = body.error ?? body.message ?? `${res.status} ${res.statusText}`;
    (form.elements.namedItem('password') as HTMLInputElement).select();
  }, (e: Error) => { error.textContent = `The console does not answer: ${e.message}`; })
    .finally(() => { button.disabled = false; });
});
