// Redaction of a Seller Centre response before it is kept as a sample: what a maintainer needs
// to fix an adapter (field names, nesting, numbers, statuses, currencies, types) stays; what
// identifies or quotes a person (names, usernames, phone numbers, addresses, e-mail, message
// text, product names) becomes a same-shaped placeholder: letters → "x"/"X", digits → "0", the
// rest (spaces, punctuation) kept, length kept. JSON numbers are kept (ids, prices, times).

import { isObj } from "./util"

/** Keys whose string values are technical and carry no person: kept as they are. */
const KEEP = new Set([
  "status",
  "order_status",
  "currency",
  "type",
  "message_type",
  "latest_message_type",
  "region",
  "region_id",
  "country",
  "order_sn",
  "payment_method",
  "fulfilment_channel_name",
  "error",
  "error_code",
  "request_id",
  "list_type",
  "tag_value",
  "source",
  "biz_id",
  "entry_point"
])

/** Keys kept only when their value looks like an id or a code, never free text. */
const ID_LIKE = /^[0-9A-Za-z_.:-]{1,64}$/

/** Keys that always hold a person's words or details, whatever they look like. */
const PERSONAL = /name|user|phone|mobile|address|email|mail|text|content|remark|note|description|portrait|avatar|city|district|state|zip|postal|street|cpf|tax|image|url|link|nick|title|txt|msg|comment|tracking|consignment|package_number|code/i

/** An envelope's words ("success", "order not found"): letters only, short. */
const ENVELOPE_WORDS = /^[A-Za-z _.,'-]{0,60}$/

/** "Budi Santoso 0812-3456" → "Xxxx Xxxxxxx 0000-0000". */
export function shapeOf(s: string): string {
  return [...s]
    .map((c) => (/\p{Lu}/u.test(c) ? "X" : /\p{L}/u.test(c) ? "x" : /\p{N}/u.test(c) ? "0" : /[\s.,:;!?'"(){}\-/_@#+&%*[\]]/.test(c) ? c : "x"))
    .join("")
}

function redactString(key: string, s: string): string {
  // Statuses under any name ("orderStatus" in a changed shape) are what a fix needs to see.
  if (KEEP.has(key) || /status$/i.test(key)) return s
  // Ids (conversation_id, latest_message_id, ...) link records: kept when they look like ids.
  if (/(^|_)ids?$/i.test(key) && ID_LIKE.test(s)) return s
  // An envelope's message ("success"), never a sentence with numbers or names in it.
  if (key === "message" || key === "user_message") {
    return ENVELOPE_WORDS.test(s) && !/\p{Lu}\p{Ll}+ \p{Lu}/u.test(s) ? s : shapeOf(s)
  }
  if (!PERSONAL.test(key) && ID_LIKE.test(s)) return s
  // Text that is itself JSON (chat content sent as a string) is redacted inside, keeping its shape.
  const t = s.trim()
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
    try {
      return JSON.stringify(redact(JSON.parse(t)))
    } catch {
      /* not JSON: a placeholder like any text */
    }
  }
  return shapeOf(s)
}

/** A redacted deep copy of a JSON value (bounded depth; deeper values become null). */
export function redact(v: unknown, key = "", depth = 0): unknown {
  if (depth > 30) return null
  if (typeof v === "string") return redactString(key, v)
  if (typeof v === "number" || typeof v === "boolean" || v === null) return v
  if (Array.isArray(v)) return v.map((x) => redact(x, key, depth + 1))
  if (isObj(v)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = redact(x, k, depth + 1)
    return out
  }
  return null
}

/** A response text that is not JSON (broken, truncated): every letter and digit masked. */
export function redactText(s: string, max = 20_000): string {
  return shapeOf(s.slice(0, max))
}
