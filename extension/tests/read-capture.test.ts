import { describe, expect, it } from "vitest"

import { readCaptured } from "../lib/read-capture"
import { replay } from "../lib/replay"
import { addSample, listSamples, MAX_SAMPLES, samplesFile, type Sample } from "../lib/samples"
import { memoryStore } from "../lib/store"
import { redact } from "../lib/redact"
import * as SC from "../fixtures/seller-centre"

const ID = { host: "seller.shopee.co.id", shopHint: "880011223" }
const url = (p: string) => `https://seller.shopee.co.id${p}?SPC_CDS=abc&SPC_CDS_VER=2`

describe("a captured response: read, or kept as an unreadable sample", () => {
  const orders = [SC.makeOrder(1, SC.BUYERS_ID[0]), SC.makeOrder(2, SC.BUYERS_ID[1])]

  it("reads the card list and asks for nothing to be kept", () => {
    const r = readCaptured(url(SC.PATHS.orderCards), JSON.stringify(SC.cardListResponse(orders)), ID)
    expect(r.orders.orders).toHaveLength(2)
    expect(r.unreadable).toBeUndefined()
  })

  it("keeps a changed shape on an order path, a broken one, and one with skipped records", () => {
    expect(readCaptured(url(SC.PATHS.orderCards), JSON.stringify(SC.orderListResponseChanged(orders)), ID).unreadable).toBe("no order records in a response on an order path")
    expect(readCaptured(url(SC.PATHS.orderCards), '{"code":0,"data":{"card_li', ID).unreadable).toBe("not JSON on an order path")
    const skipped = readCaptured(url(SC.PATHS.orderCards), JSON.stringify({ code: 0, data: { card_list: [{ order_card: {} }] } }), ID)
    expect(skipped.unreadable).toMatch(/^1 record\(s\) skipped: a card without card_header.order_sn/)
    expect(readCaptured(url(SC.PATHS.conversations), JSON.stringify({ code: 0, data: { list: [{ cid: "1" }] } }), ID).unreadable).toBe("no chat records in a response on a chat path")
    const changedMessages = SC.messageListResponseChanged(SC.sampleChatID().messages.slice(0, 2))
    expect(readCaptured(url(SC.messagesPath("1429384756123001")), JSON.stringify(changedMessages), ID).unreadable).toBe("no chat records in a response on a chat path")
  })

  it("does not keep error answers, empty lists, or other API calls of the same pages", () => {
    expect(readCaptured(url(SC.PATHS.orderDetail), JSON.stringify({ code: 404, message: "order not found" }), ID).unreadable).toBeUndefined()
    expect(readCaptured(url(SC.PATHS.orderCards), JSON.stringify({ code: 0, data: { card_list: [] } }), ID).unreadable).toBeUndefined()
    expect(readCaptured(url("/api/v3/order/get_order_tab_counts"), '{"code":0,"data":{"to_ship":', ID).unreadable).toBeUndefined()
    expect(readCaptured(url("/api/v3/order/get_order_list_meta_v2"), JSON.stringify({ code: 0, data: { tabs: [] } }), ID).unreadable).toBeUndefined()
  })

  it("keeps the newest 50 samples", async () => {
    const store = memoryStore()
    const s = (i: number): Sample => ({ at: new Date(i * 1000).toISOString(), host: "seller.shopee.co.id", path: "/x", method: "GET", status: 200, reason: String(i), body: {} })
    for (let i = 0; i < MAX_SAMPLES + 5; i++) await addSample(store, s(i))
    const kept = await listSamples(store)
    expect(kept).toHaveLength(MAX_SAMPLES)
    expect(kept[0].reason).toBe("5")
  })
})

describe("read-capture: a saved response or samples file through the adapters", () => {
  it("prints orders, conversations and messages in the documented format", () => {
    const o = SC.makeOrder(1, SC.BUYERS_ID[0])
    const r = replay(SC.PATHS.orderCards, JSON.stringify(SC.cardListResponse([o])))
    if ("error" in r) throw new Error(r.error)
    expect(Object.keys(r.output)).toEqual(["orders", "conversations", "messages", "unreadable"])
    expect(r.output.unreadable).toBe(0)
    expect(r.output.orders[0]).toMatchObject({ order_sn: o.order_sn, status: "READY_TO_SHIP", total: 63500, currency: "IDR", buyer: { username: "budi_santoso88", user_id: 381234567 } })
    const chat = SC.sampleChatID(1764050000)
    const c = replay("https://seller.shopee.co.id/webchat/api/v1.2/conversations", JSON.stringify(SC.conversationsV12(chat.conversations.slice(0, 1).map((x) => ({ c: x, last: chat.messages[1] })))))
    if ("error" in c) throw new Error(c.error)
    expect(c.output.conversations).toEqual([{ conversation_id: "1429384756123001", buyer: { user_id: 381234567, username: "budi_santoso88" } }])
    expect(c.output.messages).toEqual([{ conversation_id: "1429384756123001", from_id: 100200300, text: "Ready kak, silakan diorder ya 🙏", at: new Date((1764050000 - 3500) * 1000).toISOString() }])
  })

  it("replays a samples file, each sample with its own path, and counts what stays unreadable", () => {
    const o = SC.makeOrder(1, SC.BUYERS_VN[0], { region: "VN" })
    const sample = (path: string, body: unknown, host = "seller.shopee.vn"): Sample => ({ at: "2026-12-06T10:00:00.000Z", host, path, method: "POST", status: 200, reason: "test", body })
    const file = samplesFile([sample(SC.PATHS.orderCards, redact(SC.cardListResponse([o]))), sample(SC.PATHS.orderCards, redact(SC.orderListResponseChanged([o])))], "0.1.0")
    const r = replay("/ignored", JSON.stringify(file))
    if ("error" in r) throw new Error(r.error)
    expect(r.output.unreadable).toBe(1)
    expect(r.output.orders).toHaveLength(1)
    expect(r.output.orders[0]).toMatchObject({ order_sn: o.order_sn, currency: "VND", status: "READY_TO_SHIP" })
  })

  it("refuses a path that is not one", () => {
    expect(replay("seller.shopee.co.id", "{}")).toEqual({ error: '"seller.shopee.co.id" is not a URL path (it starts with /) or an https:// URL' })
  })
})

describe("the background's samples", () => {
  it("sees a sample again as the same one, whatever order its keys come back in", async () => {
    const { SampleKeeper } = await import("../background/samples")
    const { Mutex } = await import("../lib/store")
    const store = memoryStore()
    const reports: number[] = []
    const keeper = new SampleKeeper(store, new Mutex(), async (r) => {
      reports.push(r.unreadable)
    })
    const s = (body: unknown): Sample => ({ at: "2026-12-06T10:00:00.000Z", host: "seller.shopee.co.id", path: "/webchat/api/v1.2/conversations", method: "GET", status: 200, reason: "no chat records", body })
    expect(await keeper.add(s({ b: 1, a: { y: 2, x: [1, { d: 1, c: 2 }] } }))).toBe(1)
    expect(await keeper.add(s({ a: { x: [1, { c: 2, d: 1 }], y: 2 }, b: 1 }))).toBe(1)
    expect(await keeper.add(s({ a: 2 }))).toBe(2)
    await keeper.clear()
    expect((await keeper.count()).n).toBe(0)
    await new Promise((r) => setTimeout(r, 10))
    expect(reports[reports.length - 1]).toBe(0)
  })
})
