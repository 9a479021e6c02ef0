import { describe, expect, it } from "vitest"

import { callFor, isPageRequest, learnParams, REQUEST_TAG, type PageParams } from "../lib/bridge"
import { Pacer, type Clock } from "../lib/pacer"

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms
    }
  }
  return c
}

describe("extra calls at Seller Centre's pace", () => {
  it("runs one at a time with a gap between starts, each key once while it waits", async () => {
    const clock = fakeClock()
    const p = new Pacer(1000, 100, clock)
    const starts: Array<[string, number]> = []
    const run = (k: string) => async () => {
      starts.push([k, clock.t])
    }
    expect(p.add("a", run("a"))).toBe(true)
    expect(p.add("b", run("b"))).toBe(true)
    expect(p.add("b", run("b"))).toBe(false)
    p.add("c", run("c"))
    await new Promise((r) => setTimeout(r, 10))
    expect(starts).toEqual([
      ["a", 0],
      ["b", 1000],
      ["c", 2000]
    ])
  })

  it("refuses past its queue limit and survives a failing call", async () => {
    const clock = fakeClock()
    const p = new Pacer(10, 2, clock)
    const done: string[] = []
    p.add("x", async () => {
      throw new Error("boom")
    })
    p.add("y", async () => {
      done.push("y")
    })
    await new Promise((r) => setTimeout(r, 10))
    expect(done).toEqual(["y"])
  })
})

describe("requests made from the page's own world", () => {
  it("accepts only the two known requests with numeric ids", () => {
    expect(isPageRequest({ tag: REQUEST_TAG, id: "1", kind: "order-detail", order_id: "210000000001073" })).toBe(true)
    expect(isPageRequest({ tag: REQUEST_TAG, id: "1", kind: "order-detail", order_id: "1&x=../../" })).toBe(false)
    expect(isPageRequest({ tag: REQUEST_TAG, id: "1", kind: "open-conversation", to_id: 381239999, shop_id: "880011223" })).toBe(true)
    expect(isPageRequest({ tag: REQUEST_TAG, id: "1", kind: "fetch", path: "/anything" })).toBe(false)
  })

  it("carries the session parameters the page's own calls used, nothing invented", () => {
    const params: PageParams = { order: {}, chat: {} }
    learnParams(params, "https://seller.shopee.co.id/api/v3/order/get_order_list_card_list?SPC_CDS=abc-123&SPC_CDS_VER=2&other=1")
    learnParams(params, "https://seller.shopee.co.id/webchat/api/v1.2/conversations?_uid=0-880011223&_v=8.1.0&csrf_token=tok&direction=older")
    expect(callFor({ tag: REQUEST_TAG, id: "1", kind: "order-detail", order_id: "42" }, params)).toEqual({ path: "/api/v3/order/get_one_order?order_id=42&SPC_CDS=abc-123&SPC_CDS_VER=2", method: "GET" })
    const open = callFor({ tag: REQUEST_TAG, id: "2", kind: "open-conversation", to_id: 7, shop_id: "880011223" }, params)
    expect(open.path).toBe("/webchat/api/v1.2/conversation/open?_uid=0-880011223&_v=8.1.0&csrf_token=tok&shop_id=880011223")
    expect(JSON.parse(open.body ?? "")).toEqual({ to_id: 7, shop_id: 880011223, biz_id: 0 })
  })
})
