// End-to-end: the real `auto` binary, the built extension in Debian's Chromium (headless, via
// playwright-core), and the fixture Seller Centre at its real domain, answering in the shapes
// public code sees on live Seller Centre (issue 14): the order page's index + card list, the v1.2
// chat's bare arrays. The scenario: pair through the popup; five cards on the order page — three
// paid (one card without the buyer's id, completed from get_one_order; one buyer who never
// wrote, so no conversation), one unpaid, one with a status text no map knows → five orders in
// AUTO, the unpaid and unknown ones recorded and not delivered; three deliveries typed and
// confirmed, the chat with the new buyer opened by the extension; a buyer's question → the FAQ
// answer typed back; AUTO stopped while two more orders appear → queued, kept across a browser
// restart, delivered when AUTO is back; the card list changes shape → the DOM reader still
// finds the orders, a redacted sample is kept and AUTO's dashboard warns; the chat changes shape
// → the DOM is read; auto-send off → the text waits in the input until the seller sends it; the
// popup saves the samples as JSON (no buyer name or message in it) and clears them; a token
// revoked and paired again; with a chat limit of 100, a delivery in three chat-sized parts typed
// part by part and confirmed once, and one whose first part the chat already shows (a tab that
// closed half-way) goes on from the second part without typing the first again.

import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

import { chromium, type BrowserContext, type Page } from "playwright-core"

import * as SC from "../../extension/fixtures/seller-centre"
import { startFixture } from "./fixture-server"

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, "../..")
const EXT_DIR = process.env.EXT_DIR ?? join(ROOT, "extension/build/chrome-mv3-prod")
const AUTO_BIN = process.env.AUTO_BIN ?? join(ROOT, "target/debug/auto")
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium"
const ART = join(HERE, "artifacts")
const HEADLESS = process.env.HEADED ? false : true

const t0 = Date.now()
const results: Array<{ step: string; ok: boolean; ms: number; note?: string }> = []
const secs = () => ((Date.now() - t0) / 1000).toFixed(1)

function log(s: string) {
  console.log(`[e2e ${secs()}s] ${s}`)
}

async function step<T>(name: string, f: () => Promise<T>): Promise<T> {
  const s = Date.now()
  log(`▶ ${name}`)
  try {
    const r = await f()
    results.push({ step: name, ok: true, ms: Date.now() - s })
    log(`✔ ${name} (${((Date.now() - s) / 1000).toFixed(1)}s)`)
    return r
  } catch (e) {
    results.push({ step: name, ok: false, ms: Date.now() - s, note: e instanceof Error ? e.message : String(e) })
    log(`✘ ${name}: ${e instanceof Error ? e.message : e}`)
    throw e
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000, stepMs = 300): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < end) {
    try {
      const v = await f()
      if (v) return v as T
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, stepMs))
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${last})` : ""}`)
}

// ---------------------------------------------------------------- AUTO

let auto: ChildProcess | undefined
const dataDir = mkdtempSync(join(tmpdir(), "auto-e2e-data-"))
let appUrl = ""
let adminToken = ""

async function startAuto(port: number): Promise<number> {
  const p = spawn(AUTO_BIN, ["--data-dir", dataDir, "serve", "--port", String(port), "--no-demo"], {
    env: { ...process.env, AUTO_KEY_STORE: "file", RUST_LOG: process.env.RUST_LOG ?? "warn" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  auto = p
  let out = ""
  let err = ""
  p.stderr!.on("data", (d) => (err += d))
  const ready = await new Promise<number>((resolveP, reject) => {
    const timer = setTimeout(() => reject(new Error(`auto serve did not start: ${err.slice(-500)}`)), 60_000)
    p.stdout!.on("data", (d) => {
      out += d
      const m = out.match(/AUTO is ready at http:\/\/127\.0\.0\.1:(\d+)\//)
      if (m) {
        clearTimeout(timer)
        resolveP(Number(m[1]))
      }
    })
    p.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`auto serve exited (${code}): ${err.slice(-500)}`))
    })
  })
  p.removeAllListeners("exit")
  return ready
}

async function stopAuto(): Promise<void> {
  const p = auto
  if (!p || p.exitCode !== null) return
  await new Promise<void>((r) => {
    p.once("exit", () => r())
    p.kill("SIGTERM")
    setTimeout(() => p.kill("SIGKILL"), 10_000)
  })
  auto = undefined
}

async function admin<T = any>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
  const res = await fetch(`${appUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { "Content-Type": contentType } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`)
  return text ? JSON.parse(text) : (undefined as T)
}

interface AutoOrder {
  order_sn: string
  shop: string
  status: string
  attention_reason: string | null
  attention_detail: string | null
  buyer: { username: string; user_id?: number | null }
}

async function ordersInAuto(): Promise<AutoOrder[]> {
  // Keyed by the numeric shop id, as the Open Platform road keys them.
  const r = await admin<{ orders: AutoOrder[] }>("GET", `/orders?shop=${SC.SHOP_ID.ID}&limit=100`)
  return r.orders
}

// ---------------------------------------------------------------- fixture control

let fixtureBase = ""
async function fixture<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  // The fixture's control endpoints, reached on loopback (Node does not use Chromium's mapping).
  const { request } = await import("node:https")
  return new Promise<T>((resolveP, reject) => {
    const req = request(`${fixtureBase}${path}`, { method, rejectUnauthorized: false, headers: { "content-type": "application/json" } }, (res) => {
      let s = ""
      res.on("data", (c) => (s += c))
      res.on("end", () => {
        try {
          resolveP(JSON.parse(s))
        } catch (e) {
          reject(e)
        }
      })
    })
    req.on("error", reject)
    if (body !== undefined) req.write(JSON.stringify(body))
    req.end()
  })
}

async function sent(): Promise<Array<{ conversation_id: string; to_id: number; text: string }>> {
  return (await fixture<{ sent: Array<{ conversation_id: string; to_id: number; text: string }> }>("GET", "/__fixture/state")).sent
}

async function fixtureState(): Promise<{ details: Array<{ order_id: string; at: number; spc_cds: string | null }>; opened: Array<{ to_id: number; at: number }> }> {
  return fixture("GET", "/__fixture/state")
}

// ---------------------------------------------------------------- browser

const userDataDir = mkdtempSync(join(tmpdir(), "auto-e2e-chromium-"))
let fixturePort = 0

async function launch(): Promise<{ ctx: BrowserContext; extId: string }> {
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: HEADLESS,
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 760 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--ignore-certificate-errors",
      `--host-resolver-rules=MAP seller.shopee.co.id:443 127.0.0.1:${fixturePort}, MAP seller.shopee.vn:443 127.0.0.1:${fixturePort}, EXCLUDE 127.0.0.1`,
      `--disable-extensions-except=${EXT_DIR}`,
      `--load-extension=${EXT_DIR}`
    ]
  })
  let sw = ctx.serviceWorkers()[0]
  if (!sw) sw = await ctx.waitForEvent("serviceworker", { timeout: 20_000 })
  const extId = new URL(sw.url()).host
  watchConsole(ctx)
  return { ctx, extId }
}

/** Everything the pages (and so the content scripts) printed, to check no secret was logged. */
const consoleLines: string[] = []
function watchConsole(ctx: BrowserContext) {
  const hook = (p: Page) => p.on("console", (m) => consoleLines.push(m.text()))
  ctx.pages().forEach(hook)
  ctx.on("page", hook)
}

/** Orders each of the extension's readers reported (JSON capture, DOM fallback). */
async function seenBySource(ctx: BrowserContext): Promise<{ json: number; dom: number }> {
  const sw = ctx.serviceWorkers()[0]
  const v = (await sw.evaluate(async () => (await chrome.storage.local.get("ordersSeenBySource")).ordersSeenBySource)) as { json?: number; dom?: number } | undefined
  return { json: v?.json ?? 0, dom: v?.dom ?? 0 }
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ART, `${name}.png`), fullPage: true }).catch(() => undefined)
}

async function popupText(popup: Page, testid: string): Promise<string> {
  return (await popup.getByTestId(testid).textContent({ timeout: 2000 }).catch(() => "")) ?? ""
}

// ---------------------------------------------------------------- the scenario

const KEYS = Array.from({ length: 10 }, (_, i) => `E2E-STM60-${String(i + 1).padStart(2, "0")}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`)
const keysIn = (texts: string[]) => texts.flatMap((t) => t.match(/E2E-STM60-\d\d-[A-Z0-9]+/g) ?? [])

async function main() {
  rmSync(ART, { recursive: true, force: true })
  mkdirSync(ART, { recursive: true })
  if (!existsSync(join(EXT_DIR, "manifest.json"))) throw new Error(`no built extension at ${EXT_DIR} (npm run build in extension/)`)
  if (!existsSync(AUTO_BIN)) throw new Error(`no auto binary at ${AUTO_BIN}`)

  const now = Math.floor(Date.now() / 1000)
  const B = SC.BUYERS_ID
  const NC = SC.BUYER_NO_CHAT_ID
  const first = [
    SC.makeOrder(1, B[0], { now }),
    SC.makeOrder(2, B[1], { now, package_level: true }),
    // No buyer id and no item ids on the card: completed from get_one_order. No chat yet.
    SC.makeOrder(3, NC, { now, card_lacks: ["buyer_user_id", "item_ids"] }),
    SC.makeOrder(4, B[2], { now, status: "UNPAID" }),
    SC.makeOrder(5, B[3], { now, status_text: "Menunggu Konfirmasi" })
  ]
  const paidFirst = [first[0], first[1], first[2]]
  const fx = await startFixture({ orders: first })
  fixturePort = fx.port
  fixtureBase = `https://127.0.0.1:${fx.port}`

  let autoPort = 0
  await step("start AUTO on a fresh data dir; product, 10 keys, FAQ entry", async () => {
    autoPort = await startAuto(0)
    appUrl = `http://127.0.0.1:${autoPort}`
    const tok = spawnSync(AUTO_BIN, ["--data-dir", dataDir, "token", "create", "--scope", "admin", "--label", "e2e"], {
      env: { ...process.env, AUTO_KEY_STORE: "file" },
      encoding: "utf8"
    })
    adminToken = tok.stdout.trim()
    if (tok.status !== 0 || !adminToken) throw new Error(`token create failed: ${tok.stderr}`)
    const product = await admin<{ id: number }>("POST", "/products", {
      name: "Voucher Steam Wallet IDR 60.000",
      sku: "STEAM-IDR-60K",
      kind: "voucher",
      price: 63500,
      currency: "IDR",
      language: "id",
      instructions: "Tukarkan di store.steampowered.com/account/redeemwalletcode",
      mappings: [{ item_id: SC.STEAM_LINE.item_id, model_id: SC.STEAM_LINE.model_id }, { sku: SC.STEAM_LINE.model_sku }]
    })
    const imp = await admin<{ imported: number }>("POST", `/products/${product.id}/stock`, KEYS.join("\n"), "text/plain")
    if (imp.imported !== KEYS.length) throw new Error(`imported ${JSON.stringify(imp)}`)
    await admin("POST", "/faq", {
      question: "Kapan kode voucher dikirim?",
      variants: ["kapan kodenya dikirim", "berapa lama kode voucher dikirim", "kode voucher kapan dikirim kak"],
      answer: "Kode voucher dikirim otomatis lewat chat dalam 1 menit setelah pembayaran ya kak 🙏"
    })
  })

  let { ctx, extId } = await step("launch Chromium with the extension (host permissions checked in the built manifest)", async () => {
    const { readFileSync } = await import("node:fs")
    const manifest = JSON.parse(readFileSync(join(EXT_DIR, "manifest.json"), "utf8"))
    const want = ["co.id", "vn", "co.th", "com.my", "ph", "sg", "tw", "com.br", "com.mx", "cl", "com.co"].map((d) => `https://seller.shopee.${d}/*`)
    if (JSON.stringify(manifest.host_permissions) !== JSON.stringify([...want, "http://127.0.0.1/*"])) throw new Error(`host_permissions: ${JSON.stringify(manifest.host_permissions)}`)
    if (manifest.manifest_version !== 3) throw new Error("not Manifest V3")
    return launch()
  })

  await step("pair through the popup with a 6-digit code", async () => {
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await popup.getByTestId("conn-state").waitFor()
    if ((await popup.getByTestId("app-url").inputValue()) !== "http://127.0.0.1:47821") throw new Error("default app address is not http://127.0.0.1:47821")
    await popup.getByTestId("app-url").fill(appUrl)
    const { code } = await admin<{ code: string }>("POST", "/pairing-codes")
    await popup.getByTestId("pair-code").fill(code)
    await popup.getByTestId("pair").click()
    await until("popup says connected", async () => (await popup.getByTestId("conn-state").getAttribute("data-state")) === "connected", 15_000)
    await shot(popup, "01-popup-paired")
    await popup.close()
  })

  const chat = await ctx.newPage()
  const orders = await ctx.newPage()

  await step("five cards on the order page (index + card list) → five orders in AUTO; unpaid and unknown status not paid", async () => {
    await chat.goto("https://seller.shopee.co.id/webchat/conversations")
    await orders.goto("https://seller.shopee.co.id/portal/sale/order")
    await orders.locator(".order-card").nth(4).waitFor()
    await shot(orders, "02-order-page")
    const got = await until("5 orders in AUTO", async () => {
      const o = await ordersInAuto()
      return o.length === 5 ? o : undefined
    })
    const by = new Map(got.map((o) => [o.order_sn, o]))
    for (const o of first) if (!by.has(o.order_sn)) throw new Error(`order ${o.order_sn} missing in AUTO`)
    for (const o of got) if (o.shop !== String(SC.SHOP_ID.ID)) throw new Error(`order ${o.order_sn} keyed by shop ${o.shop}, not the numeric shop id`)
    const unpaid = by.get(first[3].order_sn)!
    if (unpaid.status !== "unpaid" || unpaid.attention_reason) throw new Error(`unpaid order: ${JSON.stringify(unpaid)}`)
    const unknown = by.get(first[4].order_sn)!
    if (unknown.status !== "unpaid" || unknown.attention_reason !== "unknown_status" || !unknown.attention_detail?.includes("Menunggu Konfirmasi")) {
      throw new Error(`the unknown status is not kept for the seller: ${JSON.stringify(unknown)}`)
    }
    const nc = by.get(first[2].order_sn)!
    if (nc.buyer.user_id !== NC.user_id) throw new Error(`the card's details were not completed: ${JSON.stringify(nc)}`)
    const st = await fixtureState()
    const asked = st.details.filter((d) => d.order_id === String(first[2].order_id))
    if (!asked.length) throw new Error("get_one_order was not asked for the card without details")
    if (asked.some((d) => d.spc_cds !== "fixture-cds-0001")) throw new Error("the details were not asked with the page's own SPC_CDS")
    if (st.details.some((d) => d.order_id !== String(first[2].order_id))) throw new Error(`details asked for complete cards: ${JSON.stringify(st.details)}`)
    await orders.waitForTimeout(2500) // the DOM reader's settle time
    const src = await seenBySource(ctx)
    if (src.json < 5 || src.dom !== 0) throw new Error(`expected the orders from the captured JSON only, got ${JSON.stringify(src)}`)
  })

  await step("three deliveries typed into the chat and confirmed, one after opening a chat with a buyer who never wrote", async () => {
    await chat.bringToFront()
    const msgs = await until("3 deliveries sent in the fixture chat", async () => {
      const s = await sent()
      return keysIn(s.map((x) => x.text)).length >= 3 ? s : undefined
    }, 90_000)
    const keys = keysIn(msgs.map((m) => m.text))
    if (keys.length !== 3 || new Set(keys).size !== 3) throw new Error(`expected 3 distinct keys, got ${keys.length} (${new Set(keys).size} distinct)`)
    for (const o of paidFirst) {
      const to = msgs.filter((m) => m.to_id === o.buyer_user_id)
      if (keysIn(to.map((m) => m.text)).length !== 1) throw new Error(`buyer ${o.buyer_username} got ${to.length} message(s)`)
    }
    for (const o of [first[3], first[4]]) {
      if (msgs.some((m) => m.to_id === o.buyer_user_id)) throw new Error(`buyer ${o.buyer_username} (order ${o.order_status}/${o.status_text ?? ""}) got a message`)
    }
    const opened = (await fixtureState()).opened
    if (!opened.some((x) => x.to_id === NC.user_id)) throw new Error("the chat with the new buyer was not opened by the extension")
    if (opened.some((x) => x.to_id !== NC.user_id)) throw new Error(`chats opened for buyers who had one: ${JSON.stringify(opened)}`)
    await until("3 orders delivered (confirmed) in AUTO, 2 still unpaid", async () => {
      const o = await ordersInAuto()
      return o.filter((x) => x.status === "delivered").length === 3 && o.filter((x) => x.status === "unpaid").length === 2
    }, 30_000)
    await shot(chat, "03-chat-deliveries")
  })

  await step("a buyer's question in the chat → the FAQ answer typed back and confirmed", async () => {
    const before = (await sent()).length
    await fixture("POST", "/__fixture/buyer-message", { conversation_id: B[2].conversation_id, text: "kak kapan kode vouchernya dikirim?" })
    const answer = await until("the FAQ answer in the chat", async () => {
      const s = (await sent()).slice(before)
      return s.find((m) => m.conversation_id === B[2].conversation_id && m.text.includes("dikirim otomatis lewat chat"))
    }, 45_000)
    if (!answer) throw new Error("no answer")
    const convs = await admin<{ conversations: Array<{ id: number; conversation_id: string }> }>("GET", `/conversations?shop=${SC.SHOP_ID.ID}`)
    const conv = convs.conversations.find((c) => c.conversation_id === B[2].conversation_id)
    if (!conv) throw new Error("the conversation is not in AUTO")
    await until("the reply confirmed in AUTO", async () => {
      const d = await admin<{ replies: Array<{ status: string }> }>("GET", `/conversations/${conv.id}`)
      return d.replies.some((r) => r.status === "sent")
    }, 20_000)
    await shot(chat, "04-chat-faq-answer")
  })

  await step("AUTO stopped; two more orders appear → queued in the extension (popup shows 2)", async () => {
    await stopAuto()
    await fixture("POST", "/__fixture/orders", { orders: [4, 5].map((i) => SC.makeOrder(i + 2, B[i], { now })) })
    await orders.reload()
    await orders.locator(".order-card").nth(6).waitFor()
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await until("popup: AUTO is not running, 2 waiting", async () => {
      const state = await popup.getByTestId("conn-state").getAttribute("data-state")
      return state === "offline" && (await popupText(popup, "queue-size")) === "2"
    }, 30_000)
    await shot(popup, "05-popup-offline-queue")
    await popup.close()
  })

  await step("browser restarted while AUTO is down; the queue survives", async () => {
    await ctx.close()
    ;({ ctx, extId } = await launch())
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await until("popup still shows 2 waiting", async () => (await popupText(popup, "queue-size")) === "2", 15_000)
    await popup.close()
  })

  await step("AUTO started again (same data dir and port) → both orders arrive and are delivered", async () => {
    const port = await startAuto(autoPort)
    if (port !== autoPort) throw new Error(`AUTO came back on ${port}, not ${autoPort}`)
    await until("7 orders in AUTO", async () => (await ordersInAuto()).length === 7, 60_000)
    const chat2 = await ctx.newPage()
    await chat2.goto("https://seller.shopee.co.id/webchat/conversations")
    await until("5 distinct keys sent", async () => new Set(keysIn((await sent()).map((m) => m.text))).size === 5, 60_000)
    const keys = keysIn((await sent()).map((m) => m.text))
    if (keys.length !== 5) throw new Error(`a key was sent twice: ${keys.length} sent, ${new Set(keys).size} distinct`)
    await until("5 orders delivered", async () => (await ordersInAuto()).filter((o) => o.status === "delivered").length === 5, 30_000)
    if ((await ordersInAuto()).filter((o) => o.status === "unpaid").length !== 2) throw new Error("the unpaid and unknown-status orders changed")
    await shot(chat2, "06-chat-after-restart")
    // The main-world capture still works after the browser restart.
    const before = await seenBySource(ctx)
    const op = await ctx.newPage()
    await op.goto("https://seller.shopee.co.id/portal/sale/order")
    await until("captured JSON orders after the restart", async () => (await seenBySource(ctx)).json >= before.json + 7, 20_000)
    await op.close()
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await until("popup: connected, queue empty", async () => (await popup.getByTestId("conn-state").getAttribute("data-state")) === "connected" && (await popupText(popup, "queue-size")) === "0", 20_000)
    await shot(popup, "07-popup-connected")
    await popup.close()
  })

  await step("the card list changes shape → the DOM reader finds the orders; a redacted sample is kept; AUTO's dashboard warns", async () => {
    const dash0 = await admin<{ extension: { unreadable: number } | null }>("GET", "/stats/dashboard")
    if (dash0.extension && dash0.extension.unreadable > 0) throw new Error(`a warning before anything changed: ${JSON.stringify(dash0.extension)}`)
    await fixture("POST", "/__fixture/shape", { shape: "changed" })
    const more = [6, 7].map((i) => SC.makeOrder(i + 2, B[i], { now }))
    await fixture("POST", "/__fixture/orders", { orders: more })
    const page = await ctx.newPage()
    await page.goto("https://seller.shopee.co.id/portal/sale/order")
    await page.locator(".order-card").nth(8).waitFor()
    await shot(page, "08-order-page-changed-shape")
    const all = await until("9 orders in AUTO", async () => {
      const o = await ordersInAuto()
      return o.length >= 9 ? o : undefined
    }, 30_000)
    if (all.length !== 9) throw new Error(`expected exactly 9 orders, AUTO has ${all.length}`)
    if ((await seenBySource(ctx)).dom < 2) throw new Error("the DOM reader did not report the page's orders")
    for (const o of more) {
      const x = all.find((y) => y.order_sn === o.order_sn)
      if (!x) throw new Error(`order ${o.order_sn} not found by the DOM reader`)
      if (x.buyer.username !== o.buyer_username) throw new Error(`DOM order buyer ${x.buyer.username}`)
    }
    await until("DOM-read orders delivered too", async () => (await ordersInAuto()).filter((o) => o.status === "delivered").length === 7, 60_000)
    const sw = ctx.serviceWorkers()[0]
    const samples = (await sw.evaluate(async () => (await chrome.storage.local.get("unreadableSamples")).unreadableSamples)) as Array<{ path: string; reason: string; body: unknown }>
    // The page asks for five cards a call: one sample per call that answered in the new shape.
    const cards = (samples ?? []).filter((x) => x.path === SC.PATHS.orderCards)
    if (!cards.length) throw new Error(`no sample of the changed card list: ${JSON.stringify(samples?.map((x) => x.path))}`)
    for (const c of cards) if (!/no order records/.test(c.reason)) throw new Error(`sample reason: ${c.reason}`)
    const text = JSON.stringify(cards.map((c) => c.body))
    for (const o of more) {
      if (text.includes(o.buyer_username)) throw new Error("a buyer's name survived redaction")
      if (!text.includes(o.order_sn)) throw new Error("the sample lost the order numbers")
    }
    const dash = await until("AUTO's dashboard warns about unreadable pages", async () => {
      const d = await admin<{ extension: { unreadable: number; last_path: string | null } | null }>("GET", "/stats/dashboard")
      return d.extension && d.extension.unreadable > 0 ? d.extension : undefined
    }, 45_000)
    if (!dash.last_path?.startsWith("/api/v3/order/") && !dash.last_path?.startsWith("/webchat/")) throw new Error(`dashboard last_path: ${dash.last_path}`)
    await fixture("POST", "/__fixture/shape", { shape: "seller-centre" })
    await page.close()
  })

  await step("the chat JSON changes shape → a buyer's question read from the DOM is answered", async () => {
    const page = ctx.pages().find((p) => p.url().includes("/webchat/"))
    if (!page) throw new Error("no chat tab")
    await fixture("POST", "/__fixture/shape", { chat: "changed" })
    await page.reload()
    // The seller opens the buyer's conversation (the DOM shows only the open one).
    await page.locator(`.conversation-cell[data-cid="${B[1].conversation_id}"]`).click()
    await until("the conversation open", async () => (await page.locator("#cname").textContent()) === B[1].username, 5000)
    const before = (await sent()).length
    await fixture("POST", "/__fixture/buyer-message", { conversation_id: B[1].conversation_id, text: "kode voucher kapan dikirim kak?" })
    await until("the FAQ answer in the chat", async () => {
      const s = (await sent()).slice(before)
      return s.some((m) => m.conversation_id === B[1].conversation_id && m.text.includes("dikirim otomatis lewat chat"))
    }, 45_000)
    await page.waitForTimeout(4000)
    const s = (await sent()).slice(before)
    if (s.length !== 1) throw new Error(`expected exactly one answer, ${s.length} message(s) were sent`)
    await shot(page, "09-chat-dom-fallback")
    await fixture("POST", "/__fixture/shape", { chat: "seller-centre" })
    await page.reload()
  })

  await step("auto-send off: the answer waits in the chat input until the seller sends it", async () => {
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await popup.getByTestId("auto-send").uncheck()
    await until("auto-send off", async () => !(await popup.getByTestId("auto-send").isChecked()), 5000)
    await popup.close()
    const page = ctx.pages().find((p) => p.url().includes("/webchat/")) ?? (await ctx.newPage())
    if (!page.url().includes("/webchat/")) await page.goto("https://seller.shopee.co.id/webchat/conversations")
    await page.bringToFront()
    const open = async (i: number) => {
      await page.locator(`.conversation-cell[data-cid="${B[i].conversation_id}"]`).click()
      await until(`${B[i].username}'s chat open`, async () => (await page.locator("#cname").textContent()) === B[i].username, 5000)
    }
    await open(3) // the seller is looking at another buyer's chat
    const before = (await sent()).length
    await fixture("POST", "/__fixture/buyer-message", { conversation_id: B[0].conversation_id, text: "berapa lama kode voucher dikirim?" })
    await until("the reply waiting in the popup's count", async () => {
      const sw = ctx.serviceWorkers()[0]
      const ob = (await sw.evaluate(async () => (await chrome.storage.local.get("outbox")).outbox)) as unknown[] | undefined
      return (ob?.length ?? 0) === 1
    }, 30_000)
    await page.waitForTimeout(3000)
    if ((await page.locator("#cname").textContent()) !== B[3].username) throw new Error("the extension switched the seller's chat with auto-send off")
    if ((await page.locator("#input").inputValue()) !== "") throw new Error("text placed in another buyer's chat")
    await open(0) // the seller opens the buyer's chat → the answer is put in the input
    await until("the answer placed in the input", async () => (await page.locator("#input").inputValue()).includes("dikirim otomatis"), 20_000)
    await open(4) // the seller looks elsewhere: the answer must not stay in another buyer's input
    await until("the input emptied", async () => (await page.locator("#input").inputValue()) === "", 10_000)
    await open(0)
    await until("the answer placed again", async () => (await page.locator("#input").inputValue()).includes("dikirim otomatis"), 20_000)
    await page.waitForTimeout(3000)
    if ((await sent()).length !== before) throw new Error("the extension sent with auto-send off")
    await shot(page, "10-chat-manual-send")
    const conv = (await admin<{ conversations: Array<{ id: number; conversation_id: string }> }>("GET", `/conversations?shop=${SC.SHOP_ID.ID}`)).conversations.find(
      (c) => c.conversation_id === B[0].conversation_id
    )!
    const pendingBefore = (await admin<{ replies: Array<{ status: string }> }>("GET", `/conversations/${conv.id}`)).replies.filter((r) => r.status === "pending").length
    if (pendingBefore !== 1) throw new Error(`expected the reply unconfirmed before the seller sends, found ${pendingBefore} pending`)
    await page.locator("#send").click() // the seller presses send
    await until("the reply confirmed after the seller sent it", async () => {
      const d = await admin<{ replies: Array<{ status: string }> }>("GET", `/conversations/${conv.id}`)
      return d.replies.filter((r) => r.status === "sent").length >= 1 && d.replies.every((r) => r.status !== "pending")
    }, 20_000)
    const s = (await sent()).slice(before)
    if (s.length !== 1) throw new Error(`expected one message sent by the seller, got ${s.length}`)
  })

  await step("the popup shows today's orders and the samples; saved as JSON they carry no buyer's name or words; cleared, AUTO's warning goes", async () => {
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await until("orders today = 7", async () => (await popupText(popup, "orders-today")) === "7", 10_000)
    await until("warnings counted", async () => /\d+ unreadable/.test(await popupText(popup, "warnings")), 10_000)
    await until("samples counted", async () => Number(await popupText(popup, "samples")) >= 1, 10_000)
    await shot(popup, "11-popup-final")
    const [download] = await Promise.all([popup.waitForEvent("download", { timeout: 10_000 }), popup.getByTestId("save-samples").click()])
    const { readFileSync } = await import("node:fs")
    const path = await download.path()
    if (!path) throw new Error("the samples file was not saved")
    const file = JSON.parse(readFileSync(path, "utf8")) as { kind: string; samples: Array<{ path: string; host: string; body: unknown }> }
    if (file.kind !== "auto-shopee-unreadable-samples/1" || !file.samples.length) throw new Error(`samples file: ${JSON.stringify(file).slice(0, 300)}`)
    const text = JSON.stringify(file)
    const people = [...B.map((b) => b.username), NC.username, "kode voucher kapan dikirim", "Halo kak"]
    const leaked = people.filter((p) => text.includes(p))
    if (leaked.length) throw new Error(`the saved samples carry ${leaked.join(", ")}`)
    if (!file.samples.some((x) => x.path === SC.PATHS.orderCards) || !file.samples.some((x) => x.path.startsWith("/webchat/api/v1.2/"))) {
      throw new Error(`expected samples of the changed card list and chat: ${file.samples.map((x) => x.path).join(", ")}`)
    }
    await popup.getByTestId("clear-samples").click()
    await until("samples cleared in the popup", async () => (await popup.getByTestId("samples-box").count()) === 0, 10_000)
    await until("AUTO's dashboard no longer warns", async () => {
      const d = await admin<{ extension: { unreadable: number } | null }>("GET", "/stats/dashboard")
      return d.extension?.unreadable === 0
    }, 45_000)
    await popup.close()
  })

  await step("token revoked in AUTO → the popup says so; pairing again reconnects", async () => {
    const { tokens } = await admin<{ tokens: Array<{ id: number; scope: string; revoked_at: string | null; origin: string | null }> }>("GET", "/tokens")
    const ext = tokens.find((t) => t.scope === "extension" && !t.revoked_at)
    if (!ext) throw new Error("no extension token in AUTO")
    if (ext.origin !== `chrome-extension://${extId}`) throw new Error(`token bound to ${ext.origin}`)
    const sw = ctx.serviceWorkers()[0]
    const extToken = (await sw.evaluate(async () => (await chrome.storage.local.get("settings")).settings?.token)) as string
    if (!extToken) throw new Error("no token in extension storage")
    await admin("DELETE", `/tokens/${ext.id}`)
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await until("popup: token revoked", async () => (await popup.getByTestId("conn-state").getAttribute("data-state")) === "revoked", 20_000)
    await shot(popup, "12-popup-revoked")
    const { code } = await admin<{ code: string }>("POST", "/pairing-codes")
    await popup.getByTestId("pair-code").fill(code)
    await popup.getByTestId("pair").click()
    await until("popup: connected again", async () => (await popup.getByTestId("conn-state").getAttribute("data-state")) === "connected", 15_000)
    await popup.close()
    // No key and no token ever appeared in a page's console.
    const secrets = [...KEYS, extToken, adminToken]
    const leaked = consoleLines.filter((l) => secrets.some((k) => l.includes(k)))
    if (leaked.length) throw new Error(`${leaked.length} console line(s) carry a secret`)
  })

  await step("a delivery in three chat-sized parts is typed part by part and confirmed once; one whose first part the chat already shows goes on from the second", async () => {
    const popup = await ctx.newPage()
    await popup.goto(`chrome-extension://${extId}/popup.html`)
    await popup.getByTestId("auto-send").check()
    await until("auto-send on again", async () => popup.getByTestId("auto-send").isChecked(), 5000)
    await popup.close()
    const page = ctx.pages().find((p) => p.url().includes("/webchat/")) ?? (await ctx.newPage())
    if (!page.url().includes("/webchat/")) await page.goto("https://seller.shopee.co.id/webchat/conversations")
    await page.bringToFront()
    const limit = await admin<{ chat_limit: number }>("PUT", "/settings/delivery", { chat_limit: 100 })
    if (limit.chat_limit !== 100) throw new Error(`chat limit: ${JSON.stringify(limit)}`)
    const { products } = await admin<{ products: Array<{ id: number; sku: string }> }>("GET", "/products")
    const product = products.find((p) => p.sku === "STEAM-IDR-60K")!
    const more = Array.from({ length: 6 }, (_, i) => `E2E-STM60-${11 + i}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`)
    KEYS.push(...more)
    await admin("POST", `/products/${product.id}/stock`, more.join("\n"), "text/plain")
    const orderFor = (b: { user_id: number; username: string }, sn: string) => ({
      shop: String(SC.SHOP_ID.ID),
      order_sn: sn,
      status: "READY_TO_SHIP",
      buyer: { username: b.username, user_id: b.user_id },
      lines: [{ sku: "STEAM-IDR-60K", quantity: 3, unit_price: 63500 }],
      total: 190500,
      currency: "IDR"
    })
    type Detail = { status: string; trail: Array<{ to: string }>; deliveries: Array<{ status: string; confirmed_at: string | null; parts?: string[] }> }
    const partsOf = async (id: number) => {
      const d = await admin<Detail>("GET", `/orders/${id}?reveal=true`)
      const parts = d.deliveries[0]?.parts ?? []
      if (parts.length !== 3 || parts.some((p) => p.length > 100)) throw new Error(`expected 3 parts of at most 100: ${JSON.stringify(parts.map((p) => p.length))}`)
      return parts
    }
    const deliveredOnce = async (id: number, to: number, from: number, want: string[]) => {
      const d = await until(`order ${id} delivered`, async () => {
        const x = await admin<Detail>("GET", `/orders/${id}`)
        return x.status === "delivered" ? x : undefined
      }, 90_000)
      const typed = ((await fixture<{ sent: Array<{ to_id: number; text: string; at: number }> }>("GET", "/__fixture/state")).sent).slice(from).filter((m) => m.to_id === to)
      if (JSON.stringify(typed.map((m) => m.text)) !== JSON.stringify(want)) throw new Error(`typed ${typed.length} message(s), not the ${want.length} part(s) in order`)
      const confirmed = Date.parse(d.deliveries[0].confirmed_at ?? "")
      if (d.deliveries.length !== 1 || d.deliveries[0].status !== "sent" || !(confirmed >= typed[typed.length - 1].at)) {
        throw new Error(`confirmed before the last part showed, or not once: ${JSON.stringify(d.deliveries.map((x) => [x.status, x.confirmed_at]))}`)
      }
      if (d.trail.filter((e) => e.to === "delivered").length !== 1) throw new Error("delivered more than once in the trail")
    }

    // A fresh delivery: three parts, typed in order, confirmed once when the third shows.
    const fresh = SC.BUYERS_ID[8]
    const before = (await sent()).length
    const one = await admin<{ order: { id: number } }>("POST", "/orders", orderFor(fresh, "2612E2EPART1"))
    const parts = await partsOf(one.order.id)
    await deliveredOnce(one.order.id, fresh.user_id, before, parts)
    await shot(page, "13-chat-three-parts")

    // A delivery half-typed by a tab that closed: its first part is in the chat already.
    const resumed = SC.BUYERS_ID[3]
    await admin("PUT", "/settings/delivery", { paused: true })
    const two = await admin<{ order: { id: number } }>("POST", "/orders", orderFor(resumed, "2612E2EPART2"))
    const parts2 = await partsOf(two.order.id)
    await fixture("POST", "/__fixture/seller-message", { conversation_id: resumed.conversation_id, text: parts2[0] })
    const before2 = (await sent()).length
    await admin("PUT", "/settings/delivery", { paused: false })
    await deliveredOnce(two.order.id, resumed.user_id, before2, parts2.slice(1))
    await page.waitForTimeout(4000)
    if ((await sent()).length !== before2 + 2) throw new Error("a part was typed again after the confirm")
    await admin("PUT", "/settings/delivery", { chat_limit: 600 })
  })

  await ctx.close()
  await fx.close()
}

let failed = false
main()
  .catch((e) => {
    failed = true
    console.error(e instanceof Error ? e.stack : e)
  })
  .finally(async () => {
    await stopAuto().catch(() => undefined)
    rmSync(userDataDir, { recursive: true, force: true })
    rmSync(dataDir, { recursive: true, force: true })
    console.log("\n==== extension e2e summary ====")
    for (const r of results) console.log(`${r.ok ? "PASS" : "FAIL"}  ${(r.ms / 1000).toFixed(1).padStart(6)}s  ${r.step}${r.note ? `  — ${r.note}` : ""}`)
    console.log(`${results.filter((r) => r.ok).length}/${results.length} steps passed in ${secs()}s; screenshots in ${ART}`)
    process.exit(failed || results.some((r) => !r.ok) ? 1 : 0)
  })
