// The engine's contract (engine/src/orders, engine/src/assistant, engine/src/delivery), as the
// extension sends and receives it. The engine refuses unknown fields, so these are exact.

export interface Buyer {
  username: string
  user_id?: number
}

export interface LineInput {
  sku?: string
  item_id?: number
  model_id?: number
  quantity: number
  unit_price: number
}

export interface OrderInput {
  shop: string
  order_sn: string
  /** Shopee's order_status (UNPAID, READY_TO_SHIP, PROCESSED, SHIPPED, COMPLETED, ...). */
  status: string
  buyer: Buyer
  lines: LineInput[]
  total?: number
  currency: string
  created_at?: string
  paid_at?: string
  /** When Shopee last changed the order, by Shopee's clock, when the page shows it (update_time). */
  shopee_updated_at?: string
  /**
   * When this extension read the page the report comes from (its own clock, not Shopee's). Set
   * at reading and kept while the report waits in the queue, so that AUTO can tell a report read
   * before a cancellation from one read after it (lib/seen.ts).
   */
  seen_at?: string
}

export interface MessageInput {
  shop: string
  conversation_id: string
  buyer: Buyer
  text: string
  message_id?: string
  order_sn?: string
  item_id?: number
}

export interface PendingDelivery {
  id: number
  order_id: number
  order_sn: string
  shop: string
  buyer: Buyer
  /** The whole text (older clients type this). */
  message: string
  /** The message in chat-sized parts, to type in order (absent from an AUTO before parts). */
  parts?: string[]
  attempts: number
  created_at: string
}

export interface PendingReply {
  id: number
  conversation: number
  shop: string
  conversation_id: string
  buyer: Buyer
  message_id?: number | null
  /** The whole text (older clients type this). */
  text: string
  /** The text in chat-sized parts, to type in order (absent from an AUTO before parts). */
  parts?: string[]
  /** How many parts the Open Platform road saw Shopee take (the chat itself is the progress). */
  parts_sent?: number
  source: string
  status: string
  created_at: string
}

export interface TodayStats {
  orders_today: number
  pending_deliveries: number
  needs_attention: number
}
