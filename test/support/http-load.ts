import { request } from "node:http";

/**
 * One plain GET on a fresh connection (no keep-alive, so a reloading proxy's closed sockets are
 * never reused): the body, or the error. The time limit is generous: on a machine shared by many
 * test runs a slow answer is not a lost one.
 */
export function getOnce(url: string, timeoutMs = 15_000): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs, headers: { connection: "close" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve(res.statusCode === 200 ? { ok: true, body: body.trim() } : { ok: false, error: `HTTP ${res.statusCode} ${body.trim()}` }));
      res.on("error", (err) => resolve({ ok: false, error: err.message }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ ok: false, error: err.message }));
    req.end();
  });
}

/** What a load run saw: answers by body, failures by message. */
export interface LoadReport {
  sent: number;
  answers: Map<string, number>;
  failures: Map<string, number>;
  /** When each failed request was sent (ISO time), for lining failures up with logs. */
  failedAt: string[];
}

/** A bounded load generator on loopback: `perSecond` GETs a second, one at a time per slot, until stopped. */
export function startLoad(url: string, perSecond: number): { stop(): Promise<LoadReport> } {
  const report: LoadReport = { sent: 0, answers: new Map(), failures: new Map(), failedAt: [] };
  let running = true;
  const gap = 1000 / perSecond;
  const loop = (async () => {
    const inFlight = new Set<Promise<void>>();
    for (let next = Date.now(); running; next += gap) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      report.sent++;
      const at = new Date().toISOString();
      const p = getOnce(url).then((r) => {
        if (!r.ok) report.failedAt.push(at);
        const m = r.ok ? report.answers : report.failures;
        const k = r.ok ? r.body : r.error;
        m.set(k, (m.get(k) ?? 0) + 1);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await Promise.all(inFlight);
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
}

/** `count` GETs, `concurrency` at a time: answers by body and failures by message. */
export async function burst(url: string, count: number, concurrency = 8): Promise<LoadReport> {
  const report: LoadReport = { sent: 0, answers: new Map(), failures: new Map(), failedAt: [] };
  const worker = async () => {
    while (report.sent < count) {
      report.sent++;
      const r = await getOnce(url);
      const m = r.ok ? report.answers : report.failures;
      const k = r.ok ? r.body : r.error;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}
