// Starts a real `auto serve` on a fresh data dir and talks to its API as a script would.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;
export const bin = process.env.AUTO_BIN || join(root, 'target/debug/auto');

/** Runs `auto serve --port 0` and resolves once it printed its address and sign-in link. */
export async function startEngine() {
  const dataDir = mkdtempSync(join(tmpdir(), 'auto-ui-test-'));
  const env = { ...process.env, AUTO_KEY_STORE: 'file', AUTO_UI_DIR: join(root, 'ui/dist'), RUST_LOG: process.env.RUST_LOG || 'warn' };
  const child = spawn(bin, ['--data-dir', dataDir, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`auto serve did not print its sign-in link in 60 s:\n${out}`)), 60_000);
    const scan = (chunk) => {
      out += chunk;
      const signin = out.match(/Sign in: (http:\/\/127\.0\.0\.1:\d+\/signin\?code=\S+)/);
      if (signin) {
        clearTimeout(timer);
        resolve(signin[1]);
      }
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    child.on('exit', (code) => reject(new Error(`auto serve exited (${code}):\n${out}`)));
  });
  const signinUrl = await found;
  const base = new URL(signinUrl).origin;
  const token = execFileSync(bin, ['--data-dir', dataDir, 'token', 'create', '--scope', 'admin'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .trim().split('\n').pop().trim();
  const api = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  /** A fresh sign-in link from `auto signin`, as a seller would ask for one. */
  const newSigninLink = () => {
    const printed = execFileSync(bin, ['--data-dir', dataDir, 'signin'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = printed.match(/http:\/\/127\.0\.0\.1:\d+\/signin\?code=\S+/);
    if (!m) throw new Error(`auto signin printed no link: ${printed}`);
    return m[0];
  };
  return { base, signinUrl, dataDir, token, api, stop, env, newSigninLink, log: () => out };
}

/** A tiny OpenAI-compatible server: every chat completion answers `reply`. */
export async function startFakeLlm(reply) {
  const http = await import('node:http');
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: 'chatcmpl-test', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'tiny',
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, calls: () => calls, close: () => server.close() };
}

/**
 * A stand-in for Shopee's Open Platform, only as far as the UI's steps need: the authorization
 * page sends the seller straight back with a code (as Shopee does once they allowed the app),
 * tokens for any code, the shop's name, the orders a step puts in `orders` (by update_time),
 * and a seller chat that records what was sent (`sent`) and refuses the next message when a
 * step asks (`refuseNext`). Signatures are not checked here: the engine's Rust tests hold the
 * protocol against a strict stand-in.
 */
export async function startFakeShopee({ id, name }) {
  const http = await import('node:http');
  const calls = [];
  const orders = [];
  const sent = [];
  let refusal = null;
  const answer = (url, input) => {
    const body = { error: '', message: '', request_id: `req-${calls.length}` };
    const q = (k) => url.searchParams.get(k) || '';
    switch (url.pathname) {
      case '/api/v2/auth/token/get':
      case '/api/v2/auth/access_token/get':
        Object.assign(body, { access_token: `at-${calls.length}`, refresh_token: `rt-${calls.length}`, expire_in: 14_400 });
        break;
      case '/api/v2/shop/get_shop_info':
        body.shop_name = name;
        break;
      case '/api/v2/order/get_order_list': {
        const [from, to] = [Number(q('time_from')), Number(q('time_to'))];
        const list = orders.filter((o) => o.update_time >= from && o.update_time <= to);
        body.response = { order_list: list.map((o) => ({ order_sn: o.order_sn })), more: false, next_cursor: '' };
        break;
      }
      case '/api/v2/order/get_order_detail': {
        const sns = q('order_sn_list').split(',');
        body.response = { order_list: orders.filter((o) => sns.includes(o.order_sn)) };
        break;
      }
      case '/api/v2/sellerchat/get_conversation_list':
        body.response = { conversations: [], page_result: { more: false } };
        break;
      case '/api/v2/sellerchat/send_message': {
        const m = { to_id: input.to_id, text: input.content && input.content.text, refused: refusal };
        sent.push(m);
        if (refusal) {
          Object.assign(body, { error: refusal, message: `stand-in refused: ${refusal}` });
          refusal = null;
        } else {
          // A 64-bit id, as Shopee's are: more digits than a JavaScript number keeps.
          body.response = { to_id: input.to_id, message_type: 'text', message_id: `23456789012345678${String(sent.length).padStart(2, '0')}` };
        }
        break;
      }
      default:
        body.response = {};
    }
    return body;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in');
    calls.push(url.pathname);
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (url.pathname === '/api/v2/shop/auth_partner') {
        const back = new URL(url.searchParams.get('redirect'));
        back.searchParams.set('code', `c0de${calls.length}`);
        back.searchParams.set('shop_id', String(id));
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }
      let input = {};
      try { input = raw ? JSON.parse(raw) : {}; } catch { /* answered as an empty body */ }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(url, input)));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls: () => calls.slice(),
    orders,
    sent,
    refuseNext: (code) => { refusal = code; },
    close: () => server.close(),
  };
}
