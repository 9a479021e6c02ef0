// The AUTO app's local API, as the extension's background uses it. Errors are sorted into what
// the extension does next: offline (retry with backoff), unauthorized (token revoked: stop,
// ask to pair again), rejected (the app refused this item: keep it aside), server (retry).

export type ApiErrorKind = "offline" | "unauthorized" | "rejected" | "server"

export class ApiError extends Error {
  constructor(
    public kind: ApiErrorKind,
    public status: number,
    message: string,
    public code?: string
  ) {
    super(message)
  }
}

export const DEFAULT_APP_URL = "http://127.0.0.1:47821"

/** Normalises an app address; only http://127.0.0.1[:port] is allowed (the only host permission). */
export function normaliseAppUrl(input: string): string | undefined {
  let s = input.trim()
  if (!s) return undefined
  if (!/^[a-z]+:\/\//i.test(s)) s = `http://${s}`
  try {
    const u = new URL(s)
    if (u.protocol !== "http:" || u.hostname !== "127.0.0.1" || u.username || u.password) return undefined
    return `http://127.0.0.1${u.port ? `:${u.port}` : ""}`
  } catch {
    return undefined
  }
}

export async function callApi<T>(
  appUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000
): Promise<T> {
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), timeoutMs)
  let res: Response
  try {
    const headers: Record<string, string> = { Accept: "application/json" }
    if (token) headers.Authorization = `Bearer ${token}`
    if (body !== undefined) headers["Content-Type"] = "application/json"
    res = await fetch(`${appUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctl.signal,
      cache: "no-store"
    })
  } catch (e) {
    throw new ApiError("offline", 0, `AUTO is not reachable at ${appUrl}`)
  } finally {
    clearTimeout(timer)
  }
  const text = await res.text().catch(() => "")
  let json: unknown = undefined
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (res.ok) return json as T
  const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error
  const msg = err?.message ?? `HTTP ${res.status}`
  if (res.status === 401) throw new ApiError("unauthorized", 401, msg, err?.code)
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new ApiError("server", res.status, msg, err?.code)
  throw new ApiError("rejected", res.status, msg, err?.code)
}
