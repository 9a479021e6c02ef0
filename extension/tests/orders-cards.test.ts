import { describe, expect, it } from "vitest"

import { mergeCardWithDetail } from "../lib/adapters/order-merge"
import { readIndex, readOrderCards, skuOfDescription } from "../lib/adapters/orders-cards"
import { readOrders } from "../lib/adapters/orders"
import { readOrdersV3 } from "../lib/adapters/orders-v3"
import * as SC from "../fixtures/seller-centre"

const ID = { host: "seller.shopee.co.id" }

describe("order card list (search_order_list_index + get_order_list_card_list)", () => {
  it("reads Indonesian cards into the engine's contract: shop from the index, money ÷ 100000, SKU from the description", () => {
    const orders = [SC.makeOrder(1, SC.BUYERS_ID[0]), SC.makeOrder(2, SC.BUYERS_ID[1], { package_level: true })]
    const shops = new Map(readIndex(SC.indexResponse(orders)))
    const r = readOrderCards(SC.cardListResponse(orders), { ...ID, shopOfOrder: (id) => shops.get(id) })
    expect(r.recognized).toBe(true)
    expect(r.skipped).toBe(0)
    expect(r.incomplete).toEqual([])
    expect(r.orders).toEqual([
      {
        shop: "880011223",
        order_sn: orders[0].order_sn,
        status: "READY_TO_SHIP",
        buyer: { username: "budi_santoso88", user_id: 381234567 },
        lines: [{ sku: "STEAM60", item_id: 22012345678, model_id: 170011, quantity: 1, unit_price: 0 }],
        total: 63500,
        currency: "IDR"
      },
      expect.objectContaining({ order_sn: orders[1].order_sn, status: "READY_TO_SHIP", shop: "880011223", total: 63500, buyer: { username: "sari.dewi_", user_id: 381234568 } })
    ])
    expect(r.orderIds.get(orders[0].order_sn)).toBe(String(orders[0].order_id))
  })

  it("reads Vietnamese and Thai cards: localized statuses, the currency from the host (the card's is a number)", () => {
    const vn = SC.makeOrder(1, SC.BUYERS_VN[0], { region: "VN" })
    const vnUnpaid = SC.makeOrder(2, SC.BUYERS_VN[1], { region: "VN", status: "UNPAID" })
    const rv = readOrders(SC.cardListResponse([vn, vnUnpaid]), { host: "seller.shopee.vn", shopHint: "990022334" })
    expect(rv.orders.map((o) => [o.status, o.currency, o.total, o.shop])).toEqual([
      ["READY_TO_SHIP", "VND", 199000, "990022334"],
      ["UNPAID", "VND", 199000, "990022334"]
    ])
    const th = SC.makeOrder(1, SC.BUYERS_TH[0], { region: "TH", package_level: true })
    const rt = readOrders(SC.cardListResponse([th]), { host: "seller.shopee.co.th", shopHint: "770033445" })
    expect(rt.orders[0]).toMatchObject({ status: "READY_TO_SHIP", currency: "THB", total: 95.5, buyer: { username: "somchai.k" }, lines: [{ sku: "GARENA100", item_id: 41055566677 }] })
  })

  it("keeps an unknown status text as it is (the engine records it unpaid and never delivers it)", () => {
    const o = SC.makeOrder(1, SC.BUYERS_ID[0], { status_text: "Menunggu Konfirmasi" })
    const r = readOrderCards(SC.cardListResponse([o]), { ...ID, shopHint: "880011223" })
    expect(r.orders[0].status).toBe("Menunggu Konfirmasi")
  })

  it("asks for the details of a card without the buyer's id or item ids, and completes it from get_one_order", () => {
    const o = SC.makeOrder(3, SC.BUYER_NO_CHAT_ID, { card_lacks: ["buyer_user_id", "item_ids"] })
    const r = readOrderCards(SC.cardListResponse([o]), { ...ID, shopHint: "880011223" })
    expect(r.orders).toEqual([])
    expect(r.incomplete).toHaveLength(1)
    expect(r.incomplete[0].order_id).toBe(String(o.order_id))
    const detail = readOrdersV3(SC.oneOrderResponse(o), ID)
    expect(detail.orderIds.get(o.order_sn)).toBe(String(o.order_id))
    const merged = mergeCardWithDetail(r.incomplete[0], detail.orders[0])
    expect(merged).toEqual({
      shop: "880011223",
      order_sn: o.order_sn,
      status: "READY_TO_SHIP", // the card's text, not the detail's numeric code
      buyer: { username: "wulan.sari21", user_id: 381239999 },
      lines: [{ sku: "STEAM60", item_id: 22012345678, model_id: 170011, quantity: 1, unit_price: 63500 }],
      total: 63500,
      currency: "IDR",
      created_at: new Date(o.create_time * 1000).toISOString()
    })
  })

  it("reads the shape of the public Brazilian capture (package-level card, currency 6, × 100000)", () => {
    const body = {
      code: 91,
      data: {
        card_list: [
          {
            package_level_order_card: {
              card_header: { order_sn: "90000000000002", buyer_info: { username: "***", portrait: "***" } },
              package_list: [
                {
                  item_info_group: { item_info_list: [{ item_list: [{ name: "Produto 1", description: "Variação: Azul [KIT KIT-AZ]", amount: 1, inner_item_ext_info: { item_id: 90000000003, model_id: 900000000004 } }] }] },
                  payment_info: { currency: 6, total_price: 6585000, payment_method: "Credit Card" },
                  status_info: { status: "A Enviar" }
                }
              ],
              order_ext_info: { order_id: 900000000000008, buyer_user_id: 900000009 }
            }
          }
        ]
      },
      message: "success"
    }
    const r = readOrders(body, { host: "seller.shopee.com.br", shopHint: "123" })
    expect(r.orders[0]).toMatchObject({ order_sn: "90000000000002", status: "READY_TO_SHIP", currency: "BRL", total: 65.85, lines: [{ sku: "KIT-AZ", item_id: 90000000003, quantity: 1 }] })
  })

  it("counts a card it cannot read, and reads nothing from an index alone", () => {
    const body = { code: 0, data: { card_list: [{ order_card: { card_header: {} } }, { something_new: {} }] } }
    const r = readOrderCards(body, ID)
    expect(r.recognized).toBe(true)
    expect(r.skipped).toBe(2)
    expect(r.problems[0]).toMatch(/order_sn/)
    const idx = readOrders(SC.indexResponse([SC.makeOrder(1, SC.BUYERS_ID[0])]), ID)
    expect(idx).toMatchObject({ recognized: true, orders: [], shops: [["210000000001073", "880011223"]] })
  })

  it("reads a package_card entry like an order_card", () => {
    const entry = SC.cardJson(SC.makeOrder(1, SC.BUYERS_ID[0])) as { order_card: unknown }
    const r = readOrderCards({ code: 0, data: { card_list: [{ package_card: entry.order_card }] } }, { ...ID, shopHint: "880011223" })
    expect(r.orders.map((o) => o.status)).toEqual(["READY_TO_SHIP"])
  })

  it("takes the SKU from the description's brackets only", () => {
    expect(skuOfDescription("Variasi: 60K [STEAM STEAM60]")).toBe("STEAM60")
    expect(skuOfDescription("Variação: único [SKU1]")).toBe("SKU1")
    expect(skuOfDescription("Variasi: 60K")).toBe("")
  })
})
