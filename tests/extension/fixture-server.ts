// A fixture Seller Centre: an HTTPS server (self-signed certificate made with openssl at start)
// that serves an order list page and a web chat page whose own scripts load order and chat JSON
// shaped like Seller Centre's (every shape comes from extension/fixtures/seller-centre.ts), and
// a send-message endpoint that records what the seller (or the extension) sent. Chromium reaches
// it at the real domain through --host-resolver-rules, so the extension's real match patterns
// apply. Control endpoints under /__fixture/ let the test add orders and buyer messages and
// switch the order JSON to a shape the extension does not know.

import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

import * as SC from "../../extension/fixtures/seller-centre"

export interface SentMessage {
  conversation_id: string
  to_id: number
  text: string
  at: number
}

export interface FixtureState {
  orders: SC.FixtureOrder[]
  shape: "seller-centre" | "changed"
  chatShape: "seller-centre" | "changed"
  conversations: SC.FixtureConversation[]
  messages: SC.FixtureMessage[]
  sent: SentMessage[]
}

function makeCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "auto-fixture-cert-"))
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      "-subj", "/CN=seller.shopee.co.id",
      "-addext", "subjectAltName=DNS:seller.shopee.co.id,DNS:seller.shopee.vn"
    ],
    { stdio: "ignore" }
  )
  return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }
}

const PAGE_HEAD = `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Shopee Seller Centre</title>
<style>body{font-family:sans-serif;margin:0;background:#f6f6f6}header{background:#ee4d2d;color:#fff;padding:10px 16px;font-weight:700}
.order-card{background:#fff;margin:10px 16px;padding:10px;border-radius:4px}.order-card-header{display:flex;justify-content:space-between;border-bottom:1px solid #eee;padding-bottom:6px}
.order-item-row{display:grid;grid-template-columns:1fr 120px 60px 100px;gap:6px;padding:6px 0}.order-status{color:#ee4d2d}
#app{display:flex;height:100vh}.conversation-list{width:260px;background:#fff;border-right:1px solid #ddd;overflow:auto}.conversation-cell{padding:10px;border-bottom:1px solid #f0f0f0;cursor:pointer}
.conversation-cell.active{background:#fff3f0}.conversation-name{font-weight:600}.conversation-preview{color:#888;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.chat-window{flex:1;display:flex;flex-direction:column}.chat-header{background:#fff;padding:10px;border-bottom:1px solid #ddd;font-weight:700}.chat-messages{flex:1;overflow:auto;padding:10px}
.chat-message{margin:6px 0;display:flex;flex-direction:column}.message-sent{align-items:flex-end}.message-bubble{max-width:70%;padding:6px 10px;border-radius:8px;background:#fff}.message-sent .message-bubble{background:#ffe9e3}
.message-text{white-space:pre-wrap;margin:0;font-family:inherit}.message-time{font-size:10px;color:#999}.chat-footer{display:flex;gap:6px;padding:8px;background:#fff;border-top:1px solid #ddd}.chat-footer textarea{flex:1;height:60px}
</style></head><body>`

// tsx (esbuild) keeps function names with a __name() helper; the pages get a stand-in.
const NAME_SHIM = "var __name = (f) => f;"

function ordersPage(): string {
  return `${PAGE_HEAD}<header>Seller Centre · Pesanan Saya</header><div id="orders" class="order-list"></div>
<script>
${NAME_SHIM}
const renderOrderCard = ${SC.renderOrderCard.toString()};
const LABELS = ${JSON.stringify(SC.ORDER_LABELS)};
const formatMoney = ${SC.formatMoney.toString()};
function view(o) {
  const L = o.region === "VN" ? LABELS.VN : LABELS.ID;
  return { order_sn: o.order_sn, buyer_username: o.buyer_username, status_text: L.status[o.order_status] || o.order_status, shop_id: o.shop_id,
    items: o.item_list.map(i => ({ item_id: i.item_id, name: i.item_name, variation: i.model_name, sku: i.model_sku || i.item_sku, quantity: i.model_quantity_purchased, price_text: formatMoney(i.model_discounted_price, o.currency) })),
    total_text: formatMoney(o.total_amount, o.currency), labels: { orderNo: L.orderNo, variation: L.variation, total: L.total } };
}
// The "new" Seller Centre code, for the changed API shape.
const STATUS_BY_CODE = { 1: "UNPAID", 2: "READY_TO_SHIP", 4: "COMPLETED", 5: "CANCELLED" };
function viewChanged(o) {
  const L = o.amount.currency === "VND" ? LABELS.VN : LABELS.ID;
  return { order_sn: o.orderSn, buyer_username: o.buyer.nick, status_text: L.status[STATUS_BY_CODE[o.orderStatus]], shop_id: ${SC.SHOP_ID.ID},
    items: o.products.map(p => ({ item_id: p.itemid, name: "Voucher Steam Wallet IDR 60.000 - Kode Dikirim Otomatis", variation: "60K", sku: p.sku, quantity: p.qty, price_text: formatMoney(p.price, o.amount.currency) })),
    total_text: formatMoney(o.amount.total, o.amount.currency), labels: { orderNo: L.orderNo, variation: L.variation, total: L.total } };
}
function load() {
  // Seller Centre's order list uses XMLHttpRequest; the tab counters use fetch.
  const xhr = new XMLHttpRequest();
  xhr.open("GET", "${SC.PATHS.orderList}?source=to_ship&page_size=40&sort_by=create_date_desc");
  xhr.onload = () => {
    const j = JSON.parse(xhr.responseText);
    const views = j.data.order_list ? j.data.order_list.map(view) : j.data.list.map(viewChanged);
    document.getElementById("orders").innerHTML = views.map(renderOrderCard).join("");
  };
  xhr.send();
  fetch("/api/v3/order/get_order_tab_counts").then(r => r.text()).catch(() => {});
}
load();
</script></body></html>`
}

function chatPage(): string {
  return `${PAGE_HEAD}<div id="app"><div class="conversation-list" id="convs" role="list"></div>
<div class="chat-window"><div class="chat-header"><span class="chat-header-name" id="cname"></span></div>
<div class="chat-messages" id="msgs"></div>
<div class="chat-footer"><textarea id="input" placeholder="Tulis pesan..."></textarea><button class="send-button" id="send" type="button">Kirim</button></div></div></div>
<script>
${NAME_SHIM}
const renderChatMessage = ${SC.renderChatMessage.toString()};
const renderConversationItem = ${SC.renderConversationItem.toString()};
let convs = [], open = null, draft = "";
const input = document.getElementById("input");
// Like a React-controlled input: the page's state changes only through input events.
input.addEventListener("input", () => { draft = input.value; });
input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } });
document.getElementById("send").addEventListener("click", () => send());
document.getElementById("convs").addEventListener("click", (e) => {
  const cell = e.target.closest(".conversation-cell");
  if (cell) { open = cell.getAttribute("data-cid"); renderConvs(); loadMessages(); }
});
function renderConvs() {
  document.getElementById("convs").innerHTML = convs.map(c => renderConversationItem({ conversation_id: c.conversation_id, to_name: c.to_name,
    preview: c.latest_message_content.text, unread: c.unread_count, active: c.conversation_id === open })).join("");
  const c = convs.find(c => c.conversation_id === open);
  document.getElementById("cname").textContent = c ? c.to_name : "";
}
// The "new" chat code reads the changed shape into the same view.
function convsOf(j) {
  if (j.response) return j.response.conversations;
  return j.data.list.map(x => ({ conversation_id: x.cid, to_id: x.peer.uid, to_name: x.peer.nick, unread_count: 0,
    latest_message_content: { text: x.last ? x.last.txt : "" } }));
}
function messagesOf(j) {
  if (j.response) return j.response.messages.map(m => ({ id: m.message_id, from: m.from_shop_id > 0 ? "seller" : "buyer", text: m.content.text || "", t: m.created_timestamp }));
  return j.data.items.map(m => ({ id: m.id, from: m.sender, text: m.body.txt, t: m.ctime }));
}
async function loadConvs() {
  const r = await fetch("${SC.PATHS.conversations}?direction=older&type=all&limit=25");
  convs = convsOf(await r.json());
  if (!open && convs.length) { open = convs[0].conversation_id; loadMessages(); }
  renderConvs();
}
async function loadMessages() {
  if (!open) return;
  const want = open;
  const r = await fetch("${SC.PATHS.messages}?conversation_id=" + want + "&page_size=25");
  const j = await r.json();
  if (want !== open) return;
  const c = convs.find(c => c.conversation_id === open);
  document.getElementById("msgs").innerHTML = messagesOf(j).map(m => renderChatMessage({ id: m.id,
    from: m.from, text: m.text, time_text: new Date(m.t * 1000).toLocaleTimeString("id-ID") })).join("");
}
async function send() {
  const text = draft.trim();
  if (!text || !open) return;
  const c = convs.find(c => c.conversation_id === open);
  draft = ""; input.value = "";
  await fetch("${SC.PATHS.sendMessage}", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ conversation_id: open, to_id: c.to_id, message_type: "text", content: { text } }) });
  loadMessages(); loadConvs();
}
loadConvs();
setInterval(() => { loadConvs(); loadMessages(); }, 1500);
</script></body></html>`
}

export async function startFixture(init?: Partial<FixtureState>): Promise<{ port: number; state: FixtureState; close: () => Promise<void> }> {
  const chat = SC.sampleChatID(Math.floor(Date.now() / 1000))
  const state: FixtureState = {
    orders: [],
    shape: "seller-centre",
    chatShape: "seller-centre",
    conversations: chat.conversations,
    messages: chat.messages,
    sent: [],
    ...init
  }
  let seq = 1
  const json = (res: ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    res.end(JSON.stringify(body))
  }
  const readBody = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let s = ""
      req.on("data", (c) => (s += c))
      req.on("end", () => {
        try {
          resolve(s ? JSON.parse(s) : {})
        } catch {
          resolve({})
        }
      })
    })

  const server = createServer(makeCert(), async (req, res) => {
    const url = new URL(req.url ?? "/", "https://seller.shopee.co.id")
    const p = url.pathname
    try {
      if (req.method === "GET" && p === SC.PATHS.orderPage) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
        return res.end(ordersPage())
      }
      if (req.method === "GET" && p === SC.PATHS.chatPage) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
        return res.end(chatPage())
      }
      if (p === SC.PATHS.orderList) {
        return json(res, state.shape === "changed" ? SC.orderListResponseChanged(state.orders) : SC.orderListResponse(state.orders))
      }
      if (p === SC.PATHS.orderDetail) {
        const o = state.orders.find((x) => x.order_sn === url.searchParams.get("order_sn"))
        return o ? json(res, SC.orderDetailResponse(o)) : json(res, { code: 404, message: "order not found" }, 404)
      }
      if (p === "/api/v3/order/get_order_tab_counts") {
        // A broken response, as a flaky page may send: the extension must count it and go on.
        res.writeHead(200, { "content-type": "application/json" })
        return res.end('{"code":0,"data":{"to_ship":')
      }
      if (p === SC.PATHS.conversations) {
        const items = state.conversations.map((c) => {
          const mine = state.messages.filter((m) => m.conversation_id === c.conversation_id)
          return { c, last: mine[mine.length - 1] }
        })
        return json(res, state.chatShape === "changed" ? SC.conversationListResponseChanged(items) : SC.conversationListResponse(items))
      }
      if (p === SC.PATHS.messages && req.method === "GET") {
        const cid = url.searchParams.get("conversation_id") ?? ""
        const mine = state.messages.filter((m) => m.conversation_id === cid)
        return json(res, state.chatShape === "changed" ? SC.messageListResponseChanged(mine) : SC.messageListResponse(cid, mine))
      }
      if (p === SC.PATHS.sendMessage && req.method === "POST") {
        const b = (await readBody(req)) as { conversation_id?: string; to_id?: number; content?: { text?: string } }
        const conv = state.conversations.find((c) => c.conversation_id === b.conversation_id)
        const text = b.content?.text ?? ""
        if (!conv || !text) return json(res, { error: "error_param", message: "bad message" }, 400)
        const m: SC.FixtureMessage = {
          message_id: `${conv.conversation_id}9${String(seq++).padStart(4, "0")}`,
          conversation_id: conv.conversation_id,
          from_id: SC.SELLER_USER_ID.ID,
          to_id: conv.to_id,
          from_shop_id: conv.shop_id,
          to_shop_id: 0,
          text,
          created_timestamp: Math.floor(Date.now() / 1000)
        }
        state.messages.push(m)
        state.sent.push({ conversation_id: conv.conversation_id, to_id: conv.to_id, text, at: Date.now() })
        return json(res, SC.sendMessageResponse(m))
      }
      // ---- control, for the test
      if (p === "/__fixture/state") return json(res, { orders: state.orders.length, shape: state.shape, sent: state.sent })
      if (p === "/__fixture/orders" && req.method === "POST") {
        const b = (await readBody(req)) as { orders?: SC.FixtureOrder[] }
        state.orders.push(...(b.orders ?? []))
        return json(res, { orders: state.orders.length })
      }
      if (p === "/__fixture/shape" && req.method === "POST") {
        const b = (await readBody(req)) as { shape?: FixtureState["shape"]; chat?: FixtureState["chatShape"] }
        if (b.shape) state.shape = b.shape === "changed" ? "changed" : "seller-centre"
        if (b.chat) state.chatShape = b.chat === "changed" ? "changed" : "seller-centre"
        return json(res, { shape: state.shape, chat: state.chatShape })
      }
      if (p === "/__fixture/buyer-message" && req.method === "POST") {
        const b = (await readBody(req)) as { conversation_id?: string; text?: string }
        const conv = state.conversations.find((c) => c.conversation_id === b.conversation_id)
        if (!conv || !b.text) return json(res, { error: "no such conversation" }, 400)
        const m: SC.FixtureMessage = {
          message_id: `${conv.conversation_id}8${String(seq++).padStart(4, "0")}`,
          conversation_id: conv.conversation_id,
          from_id: conv.to_id,
          to_id: SC.SELLER_USER_ID.ID,
          from_shop_id: 0,
          to_shop_id: conv.shop_id,
          text: b.text,
          created_timestamp: Math.floor(Date.now() / 1000)
        }
        state.messages.push(m)
        return json(res, { message_id: m.message_id })
      }
      res.writeHead(404, { "content-type": "text/plain" })
      res.end("not found")
    } catch {
      res.writeHead(500)
      res.end()
    }
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      })
  }
}

// `npm run fixture` serves it alone, for looking at the pages by hand.
if (process.argv[1] && /fixture-server\.ts$/.test(process.argv[1])) {
  const buyers = SC.BUYERS_ID.slice(0, 3)
  startFixture({ orders: buyers.map((b, i) => SC.makeOrder(i + 1, b, { now: Math.floor(Date.now() / 1000) })) }).then((f) =>
    console.log(`fixture Seller Centre on https://127.0.0.1:${f.port}/ (map seller.shopee.co.id:443 to it)`)
  )
}
