// A fixture Seller Centre: an HTTPS server (self-signed certificate made with openssl at start)
// that serves an order list page and a web chat page whose own scripts call Seller Centre's
// endpoints as the real pages do — the order page POSTs search_order_list_index, then
// get_order_list_card_list five orders at a time; the chat GETs the v1.2 conversation list and
// messages (bare arrays keyed `id`) and POSTs /webchat/api/v1.2/messages — with every shape from
// extension/fixtures/seller-centre.ts. get_one_order answers the details of a card, and
// conversation/open opens a chat with a buyer who never wrote. Chromium reaches it at the real
// domain through --host-resolver-rules, so the extension's real match patterns apply. Control
// endpoints under /__fixture/ let the test add orders, buyer messages and messages the shop sent
// before (a half-typed delivery), switch the order or chat JSON to a shape the extension does not
// know, and see what was sent and asked.

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
  /** Buyers with no conversation yet: one is created when the chat opens it (conversation/open). */
  dormant: SC.FixtureConversation[]
  messages: SC.FixtureMessage[]
  sent: SentMessage[]
  /** get_one_order calls: which order_id, when (ms), with which SPC_CDS. */
  details: Array<{ order_id: string; at: number; spc_cds: string | null }>
  /** conversation/open calls: which buyer, when. */
  opened: Array<{ to_id: number; at: number }>
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
const SHOP_NAME = "tokodigitaljaya"
/** The session parameters the pages' own calls carry (the extension's calls must carry them too). */
const ORDER_Q = "SPC_CDS=fixture-cds-0001&SPC_CDS_VER=2"
const CHAT_Q = `_uid=0-${SC.SHOP_ID.ID}&_v=8.1.0&csrf_token=fixture-csrf`

function ordersPage(): string {
  return `${PAGE_HEAD}<header>Seller Centre · Pesanan Saya</header><div id="orders" class="order-list"></div>
<script>
${NAME_SHIM}
const renderOrderCard = ${SC.renderOrderCard.toString()};
const LABELS = ${JSON.stringify(SC.ORDER_LABELS)};
const formatMoney = ${SC.formatMoney.toString()};
const CURRENCY_OF_HOST = { "seller.shopee.co.id": "IDR", "seller.shopee.vn": "VND" };
// Seller Centre's order page code: the index says which shop each order is; a card has no shop.
function viewOfCard(entry, shopOf) {
  const card = entry.order_card || entry.package_level_order_card;
  const pkgs = entry.order_card ? [card] : card.package_list;
  const items = pkgs.flatMap(p => p.item_info_group.item_info_list.flatMap(i => i.item_list));
  const currency = CURRENCY_OF_HOST[location.hostname] || "IDR";
  const L = currency === "VND" ? LABELS.VN : LABELS.ID;
  const total = pkgs[0].payment_info.total_price / 100000;
  return { order_sn: card.card_header.order_sn, buyer_username: card.card_header.buyer_info.username, status_text: pkgs[0].status_info.status,
    shop_id: shopOf(card.order_ext_info.order_id),
    items: items.map(i => ({ item_id: (i.inner_item_ext_info || {}).item_id, name: i.name, variation: i.description.replace(/^[^:]*:\\s*/, "").replace(/\\s*\\[.*$/, ""),
      sku: ((i.description.match(/\\[([^\\]]+)\\]/) || [])[1] || "").split(" ").pop(), quantity: i.amount, price_text: "" })),
    total_text: formatMoney(total, currency), labels: { orderNo: L.orderNo, variation: L.variation, total: L.total } };
}
// The "new" Seller Centre code, for the changed API shape.
function viewChanged(o) {
  const L = o.amount.currency === "VND" ? LABELS.VN : LABELS.ID;
  return { order_sn: o.orderSn, buyer_username: o.buyer.nick, status_text: o.orderStatus, shop_id: o.shopId,
    items: o.products.map(p => ({ item_id: p.itemid, name: p.title, variation: p.variant, sku: p.sku, quantity: p.qty, price_text: formatMoney(p.price, o.amount.currency) })),
    total_text: formatMoney(o.amount.total, o.amount.currency), labels: { orderNo: L.orderNo, variation: L.variation, total: L.total } };
}
// Seller Centre's order list uses XMLHttpRequest; the tab counters use fetch.
function post(path, body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path + "?${ORDER_Q}");
    xhr.setRequestHeader("content-type", "application/json");
    xhr.onload = () => { try { resolve(JSON.parse(xhr.responseText)); } catch (e) { reject(e); } };
    xhr.onerror = reject;
    xhr.send(JSON.stringify(body));
  });
}
async function load() {
  const idx = await post("${SC.PATHS.orderIndex}", { order_list_tab: 100, entity_type: 1, pagination: { from_page_number: 1, page_number: 1, page_size: 40 } });
  const list = idx.data.index_list;
  const shops = new Map(list.map(x => [String(x.order_id), x.shop_id]));
  const views = [];
  for (let i = 0; i < list.length; i += 5) {
    const r = await post("${SC.PATHS.orderCards}", { order_list_tab: 100, need_count_down_desc: true, order_param_list: list.slice(i, i + 5) });
    if (r.data.card_list) views.push(...r.data.card_list.map(c => viewOfCard(c, id => shops.get(String(id)))));
    else views.push(...r.data.list.map(viewChanged));
  }
  document.getElementById("orders").innerHTML = views.map(renderOrderCard).join("");
  fetch("/api/v3/order/get_order_tab_counts?${ORDER_Q}").then(r => r.text()).catch(() => {});
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
const Q = "${CHAT_Q}";
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
    preview: c.preview, unread: c.unread_count, active: c.conversation_id === open })).join("");
  const c = convs.find(c => c.conversation_id === open);
  document.getElementById("cname").textContent = c ? c.to_name : "";
}
// Seller Centre's chat code: v1.2 answers bare arrays keyed "id"; the "new" code reads the changed shape.
function convsOf(j) {
  if (Array.isArray(j)) return j.map(c => ({ conversation_id: c.id, to_id: c.to_id, to_name: c.to_name, shop_id: c.shop_id, unread_count: c.unread_count, preview: c.latest_message_content.text }));
  return j.data.list.map(x => ({ conversation_id: x.cid, to_id: x.peer.uid, to_name: x.peer.nick, shop_id: x.shopid, unread_count: 0, preview: x.last ? x.last.txt : "" }));
}
function messagesOf(j, c) {
  if (Array.isArray(j)) return j.map(m => ({ id: m.id, from: c && m.from_id === c.to_id ? "buyer" : "seller", text: (m.content && m.content.text) || "", t: m.created_timestamp }));
  return j.data.items.map(m => ({ id: m.id, from: m.sender, text: m.body.txt, t: m.ctime }));
}
async function loadConvs() {
  const r = await fetch("${SC.PATHS.conversations}?direction=older&type=all&limit=25&" + Q);
  convs = convsOf(await r.json());
  if (!open && convs.length) { open = convs[0].conversation_id; loadMessages(); }
  renderConvs();
}
async function loadMessages() {
  if (!open) return;
  const want = open;
  const c = convs.find(c => c.conversation_id === want);
  const r = await fetch("${SC.PATHS.conversationPrefix}" + want + "/messages?shop_id=" + (c ? c.shop_id : "") + "&offset=0&limit=20&direction=older&" + Q);
  const j = await r.json();
  if (want !== open) return;
  document.getElementById("msgs").innerHTML = messagesOf(j, c).map(m => renderChatMessage({ id: m.id,
    from: m.from, text: m.text, time_text: new Date(m.t * 1000).toLocaleTimeString("id-ID") })).join("");
}
async function send() {
  const text = draft.trim();
  if (!text || !open) return;
  const c = convs.find(c => c.conversation_id === open);
  draft = ""; input.value = "";
  await fetch("${SC.PATHS.sendMessage}?" + Q + "&shop_id=" + c.shop_id, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ request_id: String(Date.now()), to_id: c.to_id, type: "text", content: { text }, shop_id: c.shop_id, conversation_id: open, chat_send_option: {} }) });
  loadMessages(); loadConvs();
}
loadConvs();
setInterval(() => { loadConvs(); loadMessages(); }, 1500);
</script></body></html>`
}

export async function startFixture(init?: Partial<FixtureState>): Promise<{ port: number; state: FixtureState; close: () => Promise<void> }> {
  const chat = SC.sampleChatID(Math.floor(Date.now() / 1000))
  const nc = SC.BUYER_NO_CHAT_ID
  const state: FixtureState = {
    orders: [],
    shape: "seller-centre",
    chatShape: "seller-centre",
    conversations: chat.conversations,
    dormant: [{ conversation_id: nc.conversation_id, shop_id: SC.SHOP_ID.ID, to_id: nc.user_id, to_name: nc.username }],
    messages: chat.messages,
    sent: [],
    details: [],
    opened: [],
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
  const names = (c: SC.FixtureConversation) => ({ buyer: c.to_name, shop: SHOP_NAME })
  const messagesOf = (cid: string) => state.messages.filter((m) => m.conversation_id === cid)

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
      if (p === SC.PATHS.orderIndex && req.method === "POST") return json(res, SC.indexResponse(state.orders))
      if (p === SC.PATHS.orderCards && req.method === "POST") {
        const b = (await readBody(req)) as { order_param_list?: Array<{ order_id?: number }> }
        const ids = new Set((b.order_param_list ?? []).map((x) => String(x.order_id)))
        const asked = state.orders.filter((o) => ids.has(String(o.order_id)))
        return json(res, state.shape === "changed" ? SC.orderListResponseChanged(asked) : SC.cardListResponse(asked))
      }
      if (p === SC.PATHS.orderDetail && req.method === "GET") {
        const id = url.searchParams.get("order_id") ?? ""
        state.details.push({ order_id: id, at: Date.now(), spc_cds: url.searchParams.get("SPC_CDS") })
        const o = state.orders.find((x) => String(x.order_id) === id)
        return o ? json(res, SC.oneOrderResponse(o)) : json(res, { code: 404, message: "order not found" }, 404)
      }
      if (p === "/api/v3/order/get_order_tab_counts") {
        // A broken response, as a flaky page may send: the extension must count it and go on.
        res.writeHead(200, { "content-type": "application/json" })
        return res.end('{"code":0,"data":{"to_ship":')
      }
      if (p === SC.PATHS.conversations && req.method === "GET") {
        const items = state.conversations.map((c) => {
          const mine = messagesOf(c.conversation_id)
          return { c, last: mine[mine.length - 1] }
        })
        return json(res, state.chatShape === "changed" ? SC.conversationListResponseChanged(items) : SC.conversationsV12(items))
      }
      const msgPath = p.match(/^\/webchat\/api\/v1\.2\/conversations\/([0-9]+)\/messages$/)
      if (msgPath && req.method === "GET") {
        const conv = state.conversations.find((c) => c.conversation_id === msgPath[1])
        const mine = messagesOf(msgPath[1])
        if (state.chatShape === "changed") return json(res, SC.messageListResponseChanged(mine))
        return json(res, conv ? SC.messagesV12(mine, names(conv)) : [])
      }
      if (p === SC.PATHS.sendMessage && req.method === "POST") {
        const b = (await readBody(req)) as { conversation_id?: string; to_id?: number; content?: { text?: string } }
        const conv = state.conversations.find((c) => c.conversation_id === b.conversation_id)
        const text = b.content?.text ?? ""
        if (!conv || !text || b.to_id !== conv.to_id) return json(res, { error: "error_param", message: "bad message" }, 400)
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
        return json(res, SC.sentMessageV12(m, names(conv)))
      }
      if (p === SC.PATHS.openConversation && req.method === "POST") {
        const b = (await readBody(req)) as { to_id?: number; shop_id?: number }
        state.opened.push({ to_id: Number(b.to_id), at: Date.now() })
        let conv = state.conversations.find((c) => c.to_id === b.to_id && c.shop_id === b.shop_id)
        const waiting = state.dormant.findIndex((c) => c.to_id === b.to_id && c.shop_id === b.shop_id)
        if (!conv && waiting >= 0) {
          conv = state.dormant.splice(waiting, 1)[0]
          state.conversations.unshift(conv)
        }
        return conv ? json(res, SC.openConversationResponse(conv)) : json(res, { error: "error_not_found", message: "user not found" }, 404)
      }
      // ---- control, for the test
      if (p === "/__fixture/state") return json(res, { orders: state.orders.length, shape: state.shape, sent: state.sent, details: state.details, opened: state.opened })
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
      if (p === "/__fixture/seller-message" && req.method === "POST") {
        // A message the shop sent before (a tab that typed it and closed): in the chat, not in `sent`.
        const b = (await readBody(req)) as { conversation_id?: string; text?: string }
        const conv = state.conversations.find((c) => c.conversation_id === b.conversation_id)
        if (!conv || !b.text) return json(res, { error: "no such conversation" }, 400)
        const m: SC.FixtureMessage = {
          message_id: `${conv.conversation_id}9${String(seq++).padStart(4, "0")}`,
          conversation_id: conv.conversation_id,
          from_id: SC.SELLER_USER_ID.ID,
          to_id: conv.to_id,
          from_shop_id: conv.shop_id,
          to_shop_id: 0,
          text: b.text,
          created_timestamp: Math.floor(Date.now() / 1000)
        }
        state.messages.push(m)
        return json(res, { message_id: m.message_id })
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
