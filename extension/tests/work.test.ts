import { describe, expect, it } from "vitest"

import { normaliseAppUrl } from "../lib/api"
import { isEnvelope, worthCapturing, CAPTURE_TAG } from "../lib/envelope"
import type { ConvRef, WorkItem } from "../lib/messages"
import { unmatchedDeliveries, workFor } from "../lib/work"

const convs: ConvRef[] = [
  { conversation_id: "c1", shop_id: "880011223", buyer_id: 381234567, buyer_name: "budi_santoso88" },
  { conversation_id: "c2", shop_id: "880011223", buyer_name: "Sari.Dewi_" },
  { conversation_id: "c3", shop_id: "999", buyer_id: 5, buyer_name: "other_shop_buyer" }
]
const item = (p: Partial<WorkItem>): WorkItem => ({ key: "d:1", kind: "delivery", id: 1, shop: "880011223", buyer: { username: "" }, text: "t", createdAt: 0, leasedAt: 0, ...p })

describe("work for the open chat", () => {
  it("matches deliveries by buyer id, else by name; replies by conversation; never across shops; never twice", () => {
    const outbox = [
      item({ key: "r:9", kind: "reply", id: 9, conversation_id: "c2" }),
      item({ key: "d:2", id: 2, buyer: { username: "sari.dewi_" } }),
      item({ key: "d:1", id: 1, buyer: { username: "renamed", user_id: 381234567 } }),
      item({ key: "d:3", id: 3, buyer: { username: "other_shop_buyer", user_id: 5 } }),
      item({ key: "d:4", id: 4, buyer: { username: "nobody" } }),
      item({ key: "d:5", id: 5, buyer: { username: "budi_santoso88" } })
    ]
    const w = workFor(outbox, convs, new Set(["d:5"]))
    expect(w.map((x) => [x.key, x.conversation_id])).toEqual([
      ["d:1", "c1"],
      ["d:2", "c2"],
      ["r:9", "c2"]
    ])
  })
})

describe("small pieces", () => {
  it("only accepts AUTO on 127.0.0.1", () => {
    expect(normaliseAppUrl("http://127.0.0.1:47821/")).toBe("http://127.0.0.1:47821")
    expect(normaliseAppUrl("127.0.0.1:8080")).toBe("http://127.0.0.1:8080")
    expect(normaliseAppUrl("http://localhost:47821")).toBeUndefined()
    expect(normaliseAppUrl("https://127.0.0.1:47821")).toBeUndefined()
    expect(normaliseAppUrl("http://evil.example/")).toBeUndefined()
    expect(normaliseAppUrl("")).toBeUndefined()
  })

  it("captures Seller Centre API responses only, in a tagged envelope", () => {
    expect(worthCapturing("/api/v3/order/get_order_list?x=1")).toBe(true)
    expect(worthCapturing("https://seller.shopee.co.id/webchat/api/v1.2/messages")).toBe(true)
    expect(worthCapturing("/assets/app.js")).toBe(false)
    expect(worthCapturing("/api/v1/track/event")).toBe(false)
    expect(isEnvelope({ tag: CAPTURE_TAG, url: "/api/x", method: "GET", status: 200, body: "{}" })).toBe(true)
    expect(isEnvelope({ tag: "other", url: "/api/x", status: 200, body: "{}" })).toBe(false)
    expect(isEnvelope(null)).toBe(false)
  })
})

describe("deliveries for buyers without a conversation", () => {
  it("are the deliveries with a buyer id and a numeric shop that no listed conversation matches", () => {
    const outbox = [
      item({ key: "d:1", id: 1, buyer: { username: "budi", user_id: 381234567 } }),
      item({ key: "d:2", id: 2, buyer: { username: "wulan.sari21", user_id: 381239999 } }),
      item({ key: "d:3", id: 3, buyer: { username: "no id" } }),
      item({ key: "d:4", id: 4, shop: "seller.shopee.co.id", buyer: { username: "x", user_id: 9 } }),
      item({ key: "r:5", kind: "reply", id: 5, conversation_id: "c9" }),
      item({ key: "d:6", id: 6, buyer: { username: "y", user_id: 10 } })
    ]
    expect(unmatchedDeliveries(outbox, convs, new Set(["d:6"])).map((x) => x.key)).toEqual(["d:2"])
  })
})

