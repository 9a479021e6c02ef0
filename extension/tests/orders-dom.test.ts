// @vitest-environment jsdom
import { describe, expect, it } from "vitest"

import { parseMoney, readOrdersDom, statusFromText } from "../lib/adapters/orders-dom"
import * as SC from "../fixtures/seller-centre"

function page(orders: SC.FixtureOrder[]): HTMLElement {
  document.body.innerHTML = `<header>Seller Centre</header><div class="order-list">${orders.map((o) => SC.renderOrderCard(SC.orderCardView(o))).join("")}</div>`
  return document.body
}

describe("order DOM adapter", () => {
  it("finds every order card of the Indonesian order list", () => {
    const orders = SC.BUYERS_ID.slice(0, 3).map((b, i) => SC.makeOrder(i + 1, b))
    orders[1].order_status = "UNPAID"
    orders[2].lines = [{ ...SC.STEAM_LINE, quantity: 2 }, { ...SC.STEAM_LINE, item_id: 22012345679, model_sku: "STEAM120", price: 125000 }]
    const r = readOrdersDom(page(orders), { host: "seller.shopee.co.id" })
    expect(r.skipped).toBe(0)
    expect(r.shop).toBe("880011223")
    expect(r.orders).toEqual([
      { shop: "880011223", order_sn: orders[0].order_sn, status: "READY_TO_SHIP", buyer: { username: "budi_santoso88" }, lines: [{ item_id: 22012345678, sku: "STEAM60", quantity: 1, unit_price: 63500 }], currency: "IDR" },
      { shop: "880011223", order_sn: orders[1].order_sn, status: "UNPAID", buyer: { username: "sari.dewi_" }, lines: [{ item_id: 22012345678, sku: "STEAM60", quantity: 1, unit_price: 63500 }], currency: "IDR" },
      {
        shop: "880011223",
        order_sn: orders[2].order_sn,
        status: "READY_TO_SHIP",
        buyer: { username: "rizky.gaming" },
        lines: [
          { item_id: 22012345678, sku: "STEAM60", quantity: 2, unit_price: 63500 },
          { item_id: 22012345679, sku: "STEAM120", quantity: 1, unit_price: 125000 }
        ],
        currency: "IDR"
      }
    ])
  })

  it("reads the Vietnamese order page (labels, status words, ₫)", () => {
    const o = SC.makeOrder(1, { user_id: 1, username: "nguyễn_văn_an" }, { region: "VN" })
    const r = readOrdersDom(page([o]), { host: "seller.shopee.vn" })
    expect(r.orders[0]).toMatchObject({ order_sn: o.order_sn, status: "READY_TO_SHIP", currency: "VND", buyer: { username: "nguyễn_văn_an" }, lines: [{ item_id: 31098765432, sku: "OFFICE21-1PC", unit_price: 199000 }] })
  })

  it("skips a card whose status or products it cannot read, and counts it", () => {
    const o = SC.makeOrder(1, SC.BUYERS_ID[0])
    const body = page([o, SC.makeOrder(2, SC.BUYERS_ID[1])])
    body.querySelectorAll(".order-status")[0].textContent = "Status aneh"
    const r = readOrdersDom(body, { host: "seller.shopee.co.id" })
    expect(r.orders).toHaveLength(1)
    expect(r.skipped).toBe(1)
  })

  it("finds nothing on a page without orders, without throwing", () => {
    document.body.innerHTML = "<div>Tidak ada pesanan</div><a href='/product/1/2'>x</a>"
    expect(readOrdersDom(document.body, { host: "seller.shopee.co.id" })).toMatchObject({ orders: [], recognized: false })
  })

  it("knows Shopee's words for statuses and money formats", () => {
    expect(statusFromText("Perlu Dikirim")).toBe("READY_TO_SHIP")
    expect(statusFromText("Sedang Dikirim")).toBe("SHIPPED")
    expect(statusFromText("Chờ thanh toán")).toBe("UNPAID")
    expect(statusFromText("Đã hủy")).toBe("CANCELLED")
    expect(statusFromText("???")).toBeUndefined()
    expect(parseMoney("Rp63.500", "IDR")).toBe(63500)
    expect(parseMoney("₫1.299.000", "VND")).toBe(1299000)
    expect(parseMoney("RM12.50", "MYR")).toBe(12.5)
    expect(parseMoney("₱1,234.50", "PHP")).toBe(1234.5)
    expect(parseMoney("R$ 1.234,56", "BRL")).toBe(1234.56)
    expect(parseMoney("gratis", "IDR")).toBeUndefined()
  })
})

describe("order DOM adapter without class hints", () => {
  it("finds the status shown alone, not a status word inside a product name", () => {
    const o = SC.makeOrder(1, SC.BUYERS_ID[0])
    const html = SC.renderOrderCard(SC.orderCardView(o)).replace(/class="[^"]*"/g, "")
    document.body.innerHTML = `<main>${html}</main>`
    const r = readOrdersDom(document.body, { host: "seller.shopee.co.id" })
    // the product is "... Kode Dikirim Otomatis": "Dikirim" there is not the order's status
    expect(r.orders.map((x) => x.status)).toEqual(["READY_TO_SHIP"])
  })
})
