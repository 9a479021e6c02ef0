// The popup: pairing with the app's 6-digit code, the app's address, the connection, today's
// orders and pending deliveries, the auto-send switch, the queue, the unreadable Seller Centre
// responses kept (saved as one JSON file), and a link to open AUTO.

import { useCallback, useEffect, useState } from "react"

import { DEFAULT_APP_URL } from "./lib/api"
import type { Request, Status } from "./lib/messages"
import type { SamplesFile } from "./lib/samples"

function ask<T>(req: Request): Promise<T> {
  return chrome.runtime.sendMessage(req) as Promise<T>
}

const CONN_TEXT: Record<Status["conn"], string> = {
  connected: "Connected to AUTO",
  offline: "AUTO is not running",
  revoked: "Token revoked — pair again",
  unpaired: "Not paired",
  error: "Checking…"
}

const CONN_COLOR: Record<Status["conn"], string> = {
  connected: "#1a9e4b",
  offline: "#c77700",
  revoked: "#c62828",
  unpaired: "#666",
  error: "#666"
}

const box: React.CSSProperties = { border: "1px solid #eee", borderRadius: 8, padding: "8px 10px", marginTop: 8 }
const row: React.CSSProperties = { display: "flex", justifyContent: "space-between", alignItems: "center", margin: "4px 0" }

function Stat(props: { label: string; value: string | number; testid: string }) {
  return (
    <div style={{ flex: 1, textAlign: "center" }}>
      <div data-testid={props.testid} style={{ fontSize: 22, fontWeight: 700 }}>
        {props.value}
      </div>
      <div style={{ fontSize: 11, color: "#666" }}>{props.label}</div>
    </div>
  )
}

export default function Popup() {
  const [st, setSt] = useState<Status | undefined>()
  const [code, setCode] = useState("")
  const [url, setUrl] = useState("")
  const [urlDirty, setUrlDirty] = useState(false)
  const [busy, setBusy] = useState(false)
  const [msg, setMsg] = useState("")

  const refresh = useCallback(async () => {
    try {
      const s = await ask<Status>({ type: "status" })
      if (s) {
        setSt(s)
        if (!urlDirty) setUrl(s.appUrl)
      }
    } catch {
      /* the worker is starting */
    }
  }, [urlDirty])

  useEffect(() => {
    void refresh()
    const t = setInterval(() => void refresh(), 1000)
    return () => clearInterval(t)
  }, [refresh])

  const pair = async (e: React.FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setMsg("")
    const r = await ask<{ ok: boolean; error?: string }>({ type: "pair", code, appUrl: url || DEFAULT_APP_URL })
    setBusy(false)
    if (r?.ok) {
      setCode("")
      setUrlDirty(false)
      setMsg("Paired")
    } else setMsg(r?.error ?? "Pairing failed")
    void refresh()
  }

  const saveUrl = async () => {
    const r = await ask<{ ok: boolean; error?: string }>({ type: "set-app-url", appUrl: url })
    if (r?.ok) setUrlDirty(false)
    setMsg(r?.ok ? "Address saved" : (r?.error ?? "Not saved"))
    void refresh()
  }

  /** The kept samples as one JSON file, for the seller to send to support (read-capture replays it). */
  const saveSamples = async () => {
    const file = await ask<SamplesFile>({ type: "samples" })
    if (!file) return
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" })
    const a = document.createElement("a")
    a.href = URL.createObjectURL(blob)
    a.download = `auto-shopee-samples-${file.saved_at.slice(0, 19).replace(/[:T]/g, "-")}.json`
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
  }

  const conn = st?.conn ?? "error"
  const needsPairing = !st?.paired || conn === "revoked"
  const ordersToday = st?.today?.orders_today ?? st?.todayLocal.orders ?? 0
  const pending = st?.today?.pending_deliveries ?? st?.waitingToType ?? 0

  return (
    <div style={{ width: 320, fontFamily: "system-ui, sans-serif", fontSize: 13, padding: 12, color: "#222" }}>
      <div style={{ display: "flex", alignItems: "center", gap: 8 }}>
        <div style={{ width: 26, height: 26, borderRadius: 6, background: "#EE4D2D", color: "#fff", fontWeight: 800, display: "grid", placeItems: "center" }}>A</div>
        <div style={{ fontWeight: 700, fontSize: 15 }}>AUTO for Shopee</div>
      </div>

      <div style={{ ...row, marginTop: 10 }}>
        <span data-testid="conn-state" data-state={conn} style={{ color: CONN_COLOR[conn], fontWeight: 600 }}>
          ● {CONN_TEXT[conn]}
        </span>
        {st?.paired && conn !== "connected" && (
          <button data-testid="retry" onClick={() => void ask({ type: "retry" }).then(refresh)}>
            Retry now
          </button>
        )}
      </div>
      {st?.connMessage && conn !== "connected" && <div style={{ color: "#666", fontSize: 11 }}>{st.connMessage}</div>}

      <div style={box}>
        <label style={{ display: "block", fontSize: 11, color: "#666" }} htmlFor="app-url">
          App address
        </label>
        <div style={{ display: "flex", gap: 6 }}>
          <input
            id="app-url"
            data-testid="app-url"
            value={url}
            placeholder={DEFAULT_APP_URL}
            onChange={(e) => {
              setUrl(e.target.value)
              setUrlDirty(true)
            }}
            style={{ flex: 1 }}
          />
          {st?.paired && urlDirty && (
            <button data-testid="save-url" onClick={() => void saveUrl()}>
              Save
            </button>
          )}
        </div>
      </div>

      {needsPairing && (
        <form style={box} onSubmit={(e) => void pair(e)}>
          <div style={{ marginBottom: 6 }}>Enter the 6-digit code AUTO shows (Settings → Extension, or `auto pair`).</div>
          <div style={{ display: "flex", gap: 6 }}>
            <input
              data-testid="pair-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              placeholder="123456"
              onChange={(e) => setCode(e.target.value.replace(/[^\d ]/g, ""))}
              style={{ flex: 1, fontSize: 18, letterSpacing: 3 }}
            />
            <button data-testid="pair" type="submit" disabled={busy || code.replace(/\s/g, "").length !== 6}>
              Pair
            </button>
          </div>
        </form>
      )}

      {msg && (
        <div data-testid="message" style={{ marginTop: 6, color: "#444" }}>
          {msg}
        </div>
      )}

      {st?.paired && (
        <>
          <div style={{ ...box, display: "flex" }}>
            <Stat testid="orders-today" label="orders today" value={ordersToday} />
            <Stat testid="pending-deliveries" label="pending deliveries" value={pending} />
            {st.today && <Stat testid="needs-attention" label="need attention" value={st.today.needs_attention} />}
          </div>

          <div style={box}>
            <div style={row}>
              <label htmlFor="auto-send">Auto-send in chat</label>
              <input
                id="auto-send"
                data-testid="auto-send"
                type="checkbox"
                role="switch"
                checked={st.autoSend}
                onChange={(e) => {
                  const autoSend = e.target.checked
                  setSt({ ...st, autoSend })
                  void ask({ type: "set-auto-send", autoSend }).then(refresh)
                }}
              />
            </div>
            <div style={{ fontSize: 11, color: "#666" }}>
              {st.autoSend ? "Deliveries and replies are sent in the buyer's chat." : "Text is put in the chat input; you press send."}
            </div>
          </div>

          <div style={box}>
            <div style={row}>
              <span>Waiting to send to AUTO</span>
              <b data-testid="queue-size">{st.queued}</b>
            </div>
            {st.failed > 0 && (
              <div style={row}>
                <span>Refused by AUTO</span>
                <b data-testid="queue-failed">{st.failed}</b>
              </div>
            )}
            <div style={row}>
              <span>Waiting to be typed in chat</span>
              <b data-testid="waiting-to-type">{st.waitingToType}</b>
            </div>
            {st.warnings > 0 && (
              <div style={{ fontSize: 11, color: "#999" }} data-testid="warnings">
                {st.warnings} unreadable response(s) from Seller Centre ignored
              </div>
            )}
          </div>

          {st.samples > 0 && (
            <div style={{ ...box, borderColor: "#f0c36d", background: "#fffaf0" }} data-testid="samples-box">
              <div>
                <b data-testid="samples">{st.samples}</b> Seller Centre response(s) could not be read — Shopee may have changed a page
                {st.lastSamplePath ? ` (last: ${st.lastSamplePath})` : ""}. Names, phone numbers, addresses and messages are masked.
              </div>
              <div style={{ ...row, marginTop: 6 }}>
                <button data-testid="save-samples" onClick={() => void saveSamples()}>
                  Save as JSON
                </button>
                <button data-testid="clear-samples" onClick={() => void ask({ type: "clear-samples" }).then(refresh)} style={{ fontSize: 11 }}>
                  Clear
                </button>
              </div>
            </div>
          )}

          <div style={{ ...row, marginTop: 10 }}>
            <a data-testid="open-app" href={st.appUrl + "/"} target="_blank" rel="noreferrer">
              Open AUTO
            </a>
            <button data-testid="unpair" onClick={() => void ask({ type: "unpair" }).then(refresh)} style={{ fontSize: 11 }}>
              Unpair
            </button>
          </div>
        </>
      )}
    </div>
  )
}
