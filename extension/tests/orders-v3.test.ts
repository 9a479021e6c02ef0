import { describe, expect, it } from "vitest"

import { readOrders } from "../lib/adapters/orders"
import { readOrdersV3 } from "../lib/adapters/orders-v3"
import * as SC from "../fixtures/seller-centre"

const ID = { host: "seller.shopee.co.id" }

describe("older order list and get_one_order (numeric status, string prices, buyer_user, order_items)", () => {
  it("reads the older list, keeping the numeric status raw: no public source says what it means", () => {
    const orders = [SC.makeOrder(1, SC.BUYERS_ID[0]), SC.makeOrder(2, SC.BUYERS_ID[1])]
    orders[1].status_code = 7
    const r = readOrders(SC.v3ListResponse(orders), ID)
    expect(r.recognized).toBe(true)
    expect(r.skipped).toBe(0)
    expect(r.shop).toBe("880011223")
    expect(r.orders[0]).toEqual({
      shop: "880011223",
      order_sn: orders[0].order_sn,
      status: "2",
      buyer: { username: "budi_santoso88", user_id: 381234567 },
      lines: [{ sku: "STEAM60", item_id: 22012345678, model_id: 170011, quantity: 1, unit_price: 63500 }],
      total: 63500,
      currency: "IDR",
      created_at: new Date(orders[0].create_time * 1000).toISOString()
    })
    expect(r.orders[1].status).toBe("7")
  })

  it("reads one order's detail (Vietnam, Thailand with satang)", () => {
    const vn = readOrders(SC.oneOrderResponse(SC.makeOrder(1, SC.BUYERS_VN[1], { region: "VN" })), { host: "seller.shopee.vn" })
    expect(vn.orders[0]).toMatchObject({ shop: "990022334", currency: "VND", total: 199000, buyer: { username: "tranthibich.hn" }, lines: [{ sku: "OFFICE21-1PC", unit_price: 199000 }] })
    const th = readOrders(SC.oneOrderResponse(SC.makeOrder(1, SC.BUYERS_TH[0], { region: "TH" })), { host: "seller.shopee.co.th" })
    expect(th.orders[0]).toMatchObject({ currency: "THB", total: 95.5, lines: [{ sku: "GARENA100", unit_price: 95.5 }] })
  })

  it("a text status on this shape is mapped like a card's", () => {
    const body = SC.oneOrderResponse(SC.makeOrder(1, SC.BUYERS_ID[0]))
    ;(body.data as { status: unknown }).status = "Belum Bayar"
    expect(readOrdersV3(body, ID).orders[0].status).toBe("UNPAID")
  })

  it("flags an order whose total and lines differ by the scale factor, instead of delivering on it", () => {
    const body = SC.oneOrderResponse(SC.makeOrder(1, SC.BUYERS_ID[0]))
    body.data.total_price = "6350000000.00"
    const o = readOrdersV3(body, ID).orders[0]
    expect(o.status).toMatch(/^2 \[money unclear: total 6350000000 and lines 63500 differ/)
  })

  it("skips and counts an order without items or order_sn", () => {
    const body = { code: 0, data: { meta: { total: 2 }, orders: [{ order_sn: "251125K001Q8T2X", status: 2, buyer_user: { user_id: 1 } }, { order_sn: "", order_items: [] }] } }
    const r = readOrdersV3(body, ID)
    expect(r.orders).toEqual([])
    expect(r.skipped).toBe(2)
  })

  it("an empty list is a readable answer", () => {
    expect(readOrders(SC.v3ListResponse([]), ID)).toMatchObject({ recognized: true, orders: [], skipped: 0 })
  })
})
