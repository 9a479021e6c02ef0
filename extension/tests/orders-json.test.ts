import { describe, expect, it } from "vitest"

import { readOrdersJson } from "../lib/adapters/orders-json"
import * as SC from "../fixtures/seller-centre"

const ID = { host: "seller.shopee.co.id" }
const VN = { host: "seller.shopee.vn" }

describe("order adapter for Open Platform names (kept; not Seller Centre's own shape)", () => {
  it("reads Seller Centre's order list (Indonesia) into the engine's order contract", () => {
    const orders = SC.BUYERS_ID.slice(0, 3).map((b, i) => SC.makeOrder(i + 1, b))
    const r = readOrdersJson(SC.opOrderListResponse(orders), ID)
    expect(r.recognized).toBe(true)
    expect(r.skipped).toBe(0)
    expect(r.shop).toBe(String(SC.SHOP_ID.ID))
    expect(r.orders).toHaveLength(3)
    expect(r.orders[0]).toEqual({
      shop: "880011223",
      order_sn: orders[0].order_sn,
      status: "READY_TO_SHIP",
      buyer: { username: "budi_santoso88", user_id: 381234567 },
      lines: [{ sku: "STEAM60", item_id: 22012345678, model_id: 170011, quantity: 1, unit_price: 63500 }],
      total: 63500,
      currency: "IDR",
      created_at: new Date(orders[0].create_time * 1000).toISOString(),
      paid_at: new Date(orders[0].pay_time * 1000).toISOString(),
      shopee_updated_at: new Date(orders[0].pay_time * 1000).toISOString()
    })
  })

  it("reads a Vietnamese order detail (single order, VND, unicode)", () => {
    const o = SC.makeOrder(1, { user_id: 512345602, username: "trần_thị_bích" }, { region: "VN" })
    const r = readOrdersJson(SC.opOrderDetailResponse(o), VN)
    expect(r.orders).toHaveLength(1)
    expect(r.orders[0]).toMatchObject({ shop: "990022334", currency: "VND", buyer: { username: "trần_thị_bích" }, lines: [{ sku: "OFFICE21-1PC", item_id: 31098765432, model_id: 280022, unit_price: 199000 }] })
  })

  it("tolerates numbers as strings, missing currency and quantity, and odd fields", () => {
    const body = {
      code: 0,
      data: {
        order_list: [
          {
            order_sn: "251125X9ABCDEF",
            shop_id: "880011223",
            order_status: "unpaid",
            buyer_user_id: "381234567",
            buyer_username: "  Đặng Văn Lâm 🎮 ",
            total_amount: "127000",
            create_time: "1764050000",
            pay_time: 0,
            item_list: [{ item_id: "22012345678", model_id: "0", item_sku: "STEAM60", model_discounted_price: "63500" }],
            extra: { nested: [1, 2, null] }
          }
        ]
      }
    }
    const r = readOrdersJson(body, ID)
    expect(r.skipped).toBe(0)
    expect(r.orders[0]).toEqual({
      shop: "880011223",
      order_sn: "251125X9ABCDEF",
      status: "UNPAID",
      buyer: { username: "Đặng Văn Lâm 🎮", user_id: 381234567 },
      lines: [{ sku: "STEAM60", item_id: 22012345678, quantity: 1, unit_price: 63500 }],
      total: 127000,
      currency: "IDR",
      created_at: "2025-11-25T05:53:20.000Z"
    })
  })

  it("skips and counts orders it cannot read completely, keeps the others", () => {
    const good = SC.orderJson(SC.makeOrder(1, SC.BUYERS_ID[0]))
    const body = {
      data: {
        order_list: [
          { ...good, order_sn: "has spaces" },
          { ...good, order_sn: "251125NOLINES1", item_list: [] },
          { ...good, order_sn: "251125BADQTY01", item_list: [{ item_id: 1, model_quantity_purchased: -2 }] },
          { ...good, order_sn: "251125NOSTATUS", order_status: null },
          { ...good, order_sn: "251125NOIDSKU1", item_list: [{ item_name: "x" }] },
          good
        ]
      }
    }
    const r = readOrdersJson(body, ID)
    expect(r.orders.map((o) => o.order_sn)).toEqual([good.order_sn])
    expect(r.skipped).toBe(5)
  })

  it("does not recognise the changed shape (the DOM reader takes over)", () => {
    const r = readOrdersJson(SC.orderListResponseChanged([SC.makeOrder(1, SC.BUYERS_ID[0])]), ID)
    expect(r).toMatchObject({ recognized: false, orders: [], skipped: 0 })
  })

  it("never throws on anything", () => {
    for (const v of [null, undefined, 0, "x", [], [1, 2], { data: null }, { data: { order_list: "no" } }, { order_sn: {} }, { a: { b: { c: { d: { e: { f: { g: [] } } } } } } }]) {
      expect(() => readOrdersJson(v, ID)).not.toThrow()
    }
    const deep: Record<string, unknown> = {}
    let cur = deep
    for (let i = 0; i < 10000; i++) cur = (cur.x = {}) as Record<string, unknown>
    expect(readOrdersJson(deep, ID).orders).toEqual([])
  })
})
