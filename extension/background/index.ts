// The background service worker: the only part of the extension that talks to AUTO (content
// scripts cannot: the page's CORS). It holds the pairing token, the persistent queue with
// backoff, the deliveries and replies leased for typing, what was already sent (so nothing is
// typed twice), and the connection state the popup shows. Secrets (token, delivery texts) are
// never logged.

import { ApiError, callApi, DEFAULT_APP_URL, normaliseAppUrl } from "../lib/api"
import type { MessageInput, OrderInput, PendingDelivery, PendingReply, TodayStats } from "../lib/contract"
import type { ConnState, Request, Status, WorkAnswer, WorkItem } from "../lib/messages"
import { deliveryItem, replyItem } from "../lib/outbox-items"
import { Queue, type QueueItem, type SendResult } from "../lib/queue"
import { regionOf } from "../lib/region"
import { reading } from "../lib/seen"
import { chromeStore, Mutex } from "../lib/store"
import { hash } from "../lib/util"
import { unmatchedDeliveries, workFor } from "../lib/work"
import { SampleKeeper } from "./samples"

const store = chromeStore()
const queue = new Queue(store)
const mutex = new Mutex()
const samples = new SampleKeeper(store, mutex, async (r) => {
  await api("POST", "/extension/health", r)
})

/** A lease the engine gave us; after this, an item not offered again was handled elsewhere. */
const LEASE_MS = 130_000
const WORK_REFRESH_MIN_MS = 1500
const MAX_REMEMBERED = 5000
/** A buyer's identical message within this time is the same question, not a new one. */
const SAME_QUESTION_MS = 10 * 60_000

interface Settings {
  appUrl: string
  token?: string
  autoSend: boolean
}

async function settings(): Promise<Settings> {
  const s = (await store.get<Partial<Settings>>("settings")) ?? {}
  return { appUrl: s.appUrl ?? DEFAULT_APP_URL, token: s.token, autoSend: s.autoSend ?? true }
}

async function saveSettings(patch: Partial<Settings>): Promise<void> {
  await mutex.run(async () => store.set({ settings: { ...(await settings()), ...patch } }))
}

// ---------------------------------------------------------------- connection

interface Conn {
  state: ConnState
  message: string
  at: number
}

async function setConn(state: ConnState, message = ""): Promise<void> {
  const prev = await store.get<Conn>("conn")
  if (prev?.state === state && prev.message === message) return
  await store.set({ conn: { state, message, at: Date.now() } })
  if (prev?.state !== state) {
    console.info(`[AUTO] connection: ${state}`)
    if (state === "connected") {
      // AUTO is back: what waited goes now, not at the end of the backoff.
      await queue.resetBackoff()
      setTimeout(() => void flush(), 0)
    }
  }
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = await settings()
  if (!s.token) {
    await setConn("unpaired", "Pair with the 6-digit code AUTO shows.")
    throw new ApiError("unauthorized", 401, "not paired")
  }
  try {
    const r = await callApi<T>(s.appUrl, s.token, method, path, body)
    await setConn("connected")
    return r
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.kind === "offline") await setConn("offline", `AUTO is not running at ${s.appUrl}`)
      else if (e.kind === "unauthorized") await setConn("revoked", "AUTO refused this extension's token: pair again.")
    }
    throw e
  }
}

let todayCache: { at: number; value?: TodayStats; missing?: boolean } = { at: 0 }

async function fetchToday(): Promise<TodayStats | undefined> {
  if (Date.now() - todayCache.at < 3000) return todayCache.value
  try {
    // The app counts "today" in the seller's time zone (minutes east of UTC: UTC+7 is 420).
    const v = await api<TodayStats>("GET", `/stats/today?tz_offset_minutes=${-new Date().getTimezoneOffset()}`)
    todayCache = { at: Date.now(), value: v }
  } catch (e) {
    todayCache = { at: Date.now(), missing: e instanceof ApiError && e.status === 404 }
  }
  return todayCache.value
}

/** Is AUTO up, and does it accept our token? Sets the connection state either way. */
async function checkConnection(): Promise<ConnState> {
  const s = await settings()
  if (!s.token) {
    await setConn("unpaired", "Pair with the 6-digit code AUTO shows.")
    return "unpaired"
  }
  try {
    await callApi(s.appUrl, undefined, "GET", "/health", undefined, 4000)
  } catch {
    await setConn("offline", `AUTO is not running at ${s.appUrl}`)
    return "offline"
  }
  todayCache.at = 0
  await fetchToday()
  if (todayCache.missing) {
    // No stats endpoint in this AUTO: an empty batch checks the token without side effects.
    await api("POST", "/orders", { orders: [] }).catch(() => undefined)
  }
  return ((await store.get<Conn>("conn"))?.state ?? "error") as ConnState
}

// ---------------------------------------------------------------- the queue

async function noteFailed(kind: QueueItem["kind"], path: string, error: string): Promise<void> {
  await mutex.run(async () => {
    const failed = (await store.get<unknown[]>("queueFailed")) ?? []
    failed.push({ kind, path, count: 1, error: error.slice(0, 300), at: Date.now() })
    await store.set({ queueFailed: failed.slice(-200) })
  })
}

async function sendItem(item: QueueItem): Promise<SendResult> {
  try {
    const r = await api<{ rejected?: Array<{ order_sn?: string; error?: { message?: string } }> }>(item.method, item.path, item.body)
    if (item.kind === "orders") {
      for (const rej of r?.rejected ?? []) await noteFailed("orders", `order ${rej.order_sn ?? "?"}`, rej.error?.message ?? "rejected")
      void refreshWork(true)
    } else if (item.kind === "message") {
      void refreshWork(true)
    }
    return "ok"
  } catch (e) {
    if (!(e instanceof ApiError)) return "retry"
    if (e.kind === "offline" || e.kind === "server") return "retry"
    if (e.kind === "unauthorized") return "halt"
    // A confirmation AUTO no longer needs (already confirmed elsewhere, or discarded) is done.
    if (item.kind === "confirm" && (e.status === 404 || e.status === 409)) return "ok"
    return { drop: `${e.status} ${e.code ?? ""} ${e.message}`.trim() }
  }
}

let flushTimer: ReturnType<typeof setTimeout> | undefined

async function flush(): Promise<void> {
  const s = await settings()
  if (!s.token) return
  const out = await queue.flush(sendItem)
  if (out.state === "waiting") {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = setTimeout(() => void flush(), Math.max(50, out.retryAt - Date.now()))
  }
}

// ---------------------------------------------------------------- orders and messages seen

type Seen = Record<string, string>

async function remember(key: string, map: Seen, k: string, v: string): Promise<void> {
  delete map[k]
  map[k] = v
  const keys = Object.keys(map)
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) delete map[old]
  await store.set({ [key]: map })
}

/** The local date (the seller's day), for the popup's fallback count of today's orders. */
function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`
}

async function onOrders(host: string, source: "json" | "dom", orders: OrderInput[], shop?: string): Promise<number> {
  const fresh: OrderInput[] = []
  await mutex.run(async () => {
    // How many orders each reader has reported (re-sent ones included): shows which one works.
    const bySource = (await store.get<Record<string, number>>("ordersSeenBySource")) ?? {}
    bySource[source] = (bySource[source] ?? 0) + orders.length
    await store.set({ ordersSeenBySource: bySource })
    if (shop) {
      const shops = (await store.get<Record<string, string>>("shopByHost")) ?? {}
      if (shops[host] !== shop) await store.set({ shopByHost: { ...shops, [host]: shop } })
    }
    const sent = (await store.get<Seen>("ordersSent")) ?? {}
    const local = (await store.get<{ date: string; n: number }>("todayLocal")) ?? { date: today(), n: 0 }
    if (local.date !== today()) Object.assign(local, { date: today(), n: 0 })
    for (const o of orders) {
      const key = `${o.shop}|${o.order_sn}`
      // A JSON reading whose status is a raw code or text (not one AUTO knows) is weak: the
      // status the page renders, read from the DOM, may still say more.
      const weak = source === "json" && !/^[A-Z_]{3,40}$/.test(o.status)
      // Without the time it was read: the same page read again is not news.
      const h = `${source}${weak ? "?" : ""}:${hash(reading(o))}`
      const prev = sent[key]
      // What the JSON said wins over the DOM's poorer reading of the same order.
      if (source === "dom" && prev && prev.startsWith("json:")) continue
      if (prev === h) continue
      if (!prev) local.n++
      fresh.push(o)
      await remember("ordersSent", sent, key, h)
    }
    await store.set({ todayLocal: local })
  })
  if (fresh.length) {
    await queue.pushOrders(fresh)
    console.info(`[AUTO] ${fresh.length} order(s) from the page (${source}) queued`)
    void flush()
  }
  return fresh.length
}

async function onBuyerMessages(messages: MessageInput[]): Promise<number> {
  const fresh: MessageInput[] = []
  await mutex.run(async () => {
    const seen = (await store.get<Seen>("messagesReported")) ?? {}
    const now = Date.now()
    for (const m of messages) {
      const key = `${m.shop}|${m.conversation_id}|${m.message_id ?? hash(m.text)}`
      // The same words in the same chat within minutes are one question, whichever reader saw
      // it (the DOM's id for a live message differs from the JSON's id of the same message).
      const words = `${m.shop}|${m.conversation_id}|text:${hash(m.text.replace(/\s+/g, " ").trim())}`
      if (seen[key] || now - Number(seen[words] ?? 0) < SAME_QUESTION_MS) continue
      fresh.push(m)
      await remember("messagesReported", seen, key, "1")
      await remember("messagesReported", seen, words, String(now))
    }
  })
  for (const m of fresh) await queue.push("message", "POST", "/messages", m)
  if (fresh.length) void flush()
  return fresh.length
}

// ---------------------------------------------------------------- deliveries and replies to type

async function outbox(): Promise<WorkItem[]> {
  return (await store.get<WorkItem[]>("outbox")) ?? []
}

async function doneSet(): Promise<Set<string>> {
  return new Set((await store.get<string[]>("done")) ?? [])
}

/** Which tab is typing an item right now, so two Seller Centre tabs never type the same one. */
const claims = new Map<string, { tab: number; until: number }>()

function claimedElsewhere(key: string, tab: number): boolean {
  const c = claims.get(key)
  return !!c && c.tab !== tab && c.until > Date.now()
}

let lastWork = 0
let working: Promise<void> | undefined

function refreshWork(force = false): Promise<void> {
  if (working) return working
  if (!force && Date.now() - lastWork < WORK_REFRESH_MIN_MS) return Promise.resolve()
  working = doRefreshWork().finally(() => {
    working = undefined
  })
  return working
}

async function doRefreshWork(): Promise<void> {
  const s = await settings()
  if (!s.token) return
  lastWork = Date.now()
  const [d, r] = await Promise.allSettled([
    api<{ deliveries: PendingDelivery[] }>("GET", "/deliveries?status=pending&limit=50"),
    api<{ replies: PendingReply[] }>("GET", "/replies?status=pending&limit=50")
  ])
  const confirms: string[] = []
  await mutex.run(async () => {
    const now = Date.now()
    const done = await doneSet()
    const fresh = new Map<string, WorkItem>()
    if (d.status === "fulfilled") {
      for (const x of d.value?.deliveries ?? []) {
        const key = `d:${x.id}`
        if (done.has(key)) confirms.push(`/deliveries/${x.id}/confirm`)
        else fresh.set(key, deliveryItem(x, now))
      }
    }
    if (r.status === "fulfilled") {
      for (const x of r.value?.replies ?? []) {
        const key = `r:${x.id}`
        if (done.has(key)) confirms.push(`/replies/${x.id}/confirm`)
        else fresh.set(key, replyItem(x, now))
      }
    }
    for (const old of await outbox()) {
      if (fresh.has(old.key) || done.has(old.key)) continue
      const fetched = old.kind === "delivery" ? d.status === "fulfilled" : r.status === "fulfilled"
      if (!fetched || now - old.leasedAt < LEASE_MS) fresh.set(old.key, old)
    }
    await store.set({ outbox: [...fresh.values()] })
  })
  for (const c of confirms) await queue.push("confirm", "POST", c)
  if (confirms.length) void flush()
}

async function markSent(key: string): Promise<void> {
  const m = key.match(/^([dr]):(\d+)$/)
  if (!m) return
  await mutex.run(async () => {
    const done = (await store.get<string[]>("done")) ?? []
    if (!done.includes(key)) done.push(key)
    const ob = (await outbox()).filter((i) => i.key !== key)
    await store.set({ done: done.slice(-MAX_REMEMBERED), outbox: ob })
  })
  await queue.push("confirm", "POST", m[1] === "d" ? `/deliveries/${m[2]}/confirm` : `/replies/${m[2]}/confirm`)
  console.info(`[AUTO] ${m[1] === "d" ? "delivery" : "reply"} ${m[2]} posted in chat; confirming`)
  void flush()
}

// ---------------------------------------------------------------- status, pairing

async function status(): Promise<Status> {
  const s = await settings()
  const conn = (await store.get<Conn>("conn")) ?? { state: s.token ? "error" : "unpaired", message: "", at: 0 }
  const local = (await store.get<{ date: string; n: number }>("todayLocal")) ?? { date: today(), n: 0 }
  const b = await queue.backoff()
  const kept = await samples.count()
  return {
    conn: s.token ? conn.state : "unpaired",
    connMessage: conn.message,
    appUrl: s.appUrl,
    paired: !!s.token,
    autoSend: s.autoSend,
    queued: await queue.size(),
    failed: (await queue.failed()).length,
    retryAt: b.nextAt,
    waitingToType: (await outbox()).length,
    today: s.token && conn.state === "connected" ? await fetchToday() : undefined,
    todayLocal: { orders: local.date === today() ? local.n : 0 },
    warnings: (await store.get<number>("warnings")) ?? 0,
    samples: kept.n,
    lastSamplePath: kept.lastPath
  }
}

async function pair(code: string, appUrlInput: string): Promise<{ ok: boolean; error?: string }> {
  const appUrl = normaliseAppUrl(appUrlInput)
  if (!appUrl) return { ok: false, error: "The app address must be http://127.0.0.1:PORT" }
  const c = code.replace(/\s+/g, "")
  if (!/^\d{6}$/.test(c)) return { ok: false, error: "The code has 6 digits" }
  try {
    const r = await callApi<{ token: string }>(appUrl, undefined, "POST", "/pair", {
      code: c,
      client: "Shopee extension",
      origin: `chrome-extension://${chrome.runtime.id}`
    })
    await saveSettings({ appUrl, token: r.token })
    await setConn("connected")
    await queue.resetBackoff()
    void flush()
    void refreshWork(true)
    return { ok: true }
  } catch (e) {
    if (e instanceof ApiError && e.kind === "offline") return { ok: false, error: `AUTO is not running at ${appUrl}` }
    if (e instanceof ApiError && e.status === 401) return { ok: false, error: "Wrong or expired code: ask AUTO for a new one" }
    return { ok: false, error: e instanceof Error ? e.message : "Pairing failed" }
  }
}

async function tick(): Promise<void> {
  const s = await settings()
  if (!s.token) return
  const conn = (await store.get<Conn>("conn"))?.state
  if (conn !== "connected") {
    const now = await checkConnection()
    if (now === "connected") await queue.resetBackoff()
  }
  await flush()
  await refreshWork()
  await samples.report()
}

// ---------------------------------------------------------------- wiring

const EXT_ORIGIN = `chrome-extension://${chrome.runtime.id}/`

function fromExtensionPage(sender: chrome.runtime.MessageSender): boolean {
  return sender.id === chrome.runtime.id && (sender.url ?? "").startsWith(EXT_ORIGIN)
}

function fromSellerCentre(sender: chrome.runtime.MessageSender): boolean {
  try {
    return sender.id === chrome.runtime.id && !!regionOf(new URL(sender.url ?? "").hostname)
  } catch {
    return false
  }
}

async function handle(msg: Request, sender: chrome.runtime.MessageSender): Promise<unknown> {
  const page = fromSellerCentre(sender)
  const ext = fromExtensionPage(sender)
  switch (msg.type) {
    case "hello": {
      if (!page) return undefined
      const shops = (await store.get<Record<string, string>>("shopByHost")) ?? {}
      void tick()
      return { shopHint: shops[msg.host], autoSend: (await settings()).autoSend }
    }
    case "orders":
      return page ? { queued: await onOrders(msg.host, msg.source, msg.orders, msg.shop) } : undefined
    case "buyer-messages":
      return page ? { queued: await onBuyerMessages(msg.messages) } : undefined
    case "work": {
      if (!page) return undefined
      if (msg.conversations.length) await refreshWork()
      void flush()
      const tab = sender.tab?.id ?? -1
      const ob = await outbox()
      const done = await doneSet()
      const answer: WorkAnswer = {
        items: workFor(ob, msg.conversations, done).filter((i) => !claimedElsewhere(i.key, tab)),
        unmatched: unmatchedDeliveries(ob, msg.conversations, done).filter((i) => !claimedElsewhere(i.key, tab)),
        autoSend: (await settings()).autoSend
      }
      return answer
    }
    case "claim": {
      if (!page) return { ok: false }
      const tab = sender.tab?.id ?? -1
      if (claimedElsewhere(msg.key, tab) || (await doneSet()).has(msg.key)) return { ok: false }
      claims.set(msg.key, { tab, until: Date.now() + 30_000 })
      return { ok: true }
    }
    case "sent":
      claims.delete(msg.key)
      if (page) await markSent(msg.key)
      return { ok: true }
    case "warn":
      if (page && msg.count > 0) {
        await mutex.run(async () => store.set({ warnings: ((await store.get<number>("warnings")) ?? 0) + msg.count }))
      }
      return { ok: true }
    case "sample":
      return page ? { kept: await samples.add(msg.sample) } : undefined
    case "samples":
      return ext ? samples.file(chrome.runtime.getManifest().version) : undefined
    case "clear-samples":
      if (ext) await samples.clear()
      return { ok: true }
    case "status":
      return ext ? status() : undefined
    case "pair":
      return ext ? pair(msg.code, msg.appUrl) : undefined
    case "set-app-url": {
      if (!ext) return undefined
      const appUrl = normaliseAppUrl(msg.appUrl)
      if (!appUrl) return { ok: false, error: "The app address must be http://127.0.0.1:PORT" }
      await saveSettings({ appUrl })
      await queue.resetBackoff()
      await checkConnection()
      void flush()
      return { ok: true }
    }
    case "set-auto-send":
      if (ext) await saveSettings({ autoSend: !!msg.autoSend })
      return { ok: true }
    case "retry":
      if (!ext) return undefined
      await queue.resetBackoff()
      await checkConnection()
      await flush()
      return { ok: true }
    case "unpair":
      if (!ext) return undefined
      await saveSettings({ token: undefined })
      await setConn("unpaired", "Pair with the 6-digit code AUTO shows.")
      return { ok: true }
  }
  return undefined
}

chrome.runtime.onMessage.addListener((msg: Request, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ error: e instanceof Error ? e.message : "failed" }))
  return true
})

async function ensureAlarm(): Promise<void> {
  const a = await chrome.alarms.get("auto-tick")
  if (!a) await chrome.alarms.create("auto-tick", { periodInMinutes: 0.5 })
}

chrome.alarms.onAlarm.addListener((a) => {
  if (a.name === "auto-tick") void tick()
})
chrome.runtime.onStartup.addListener(() => void ensureAlarm().then(tick))
chrome.runtime.onInstalled.addListener(() => void ensureAlarm().then(tick))
void ensureAlarm()
void tick()

export {}
