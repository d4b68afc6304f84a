// The console's serving and signing, against a control plane with SigV4 keys configured: its
// files come with the right types and cache headers, pages of the app fall back to index.html,
// nothing outside its folder is reachable; the app asks for keys, keeps them in the session
// (not the URL) and signs its ECS calls and its live stream; a wrong key is refused as AWS
// refuses it. When the console was never built, the route says so.
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, ECSClient } from "@aws-sdk/client-ecs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoute } from "@berth/controlplane";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { launchBrowser, requireBuiltConsole, screenshot, seriousAxeViolations } from "../support/browser.js";

const AKID = "AKIDBERTHCONSOLE0001";
const SECRET = "console-test-secret/0123456789";
const cluster = `console-keys-${process.pid}`;
let t: TestControlPlane;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestControlPlane({ BERTH_ACCESS_KEYS: `${AKID}:${SECRET}` });
  const signed = new ECSClient({ endpoint: t.endpoint, region: "us-east-1", credentials: { accessKeyId: AKID, secretAccessKey: SECRET } });
  await signed.send(new CreateClusterCommand({ clusterName: cluster }));
  signed.destroy();
  await requireBuiltConsole(t.endpoint);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("console files", () => {
  const get = (path: string) => fetch(`${t.endpoint}${path}`, { redirect: "manual" });

  it("index.html, hashed assets and app pages, each with its type and cache policy", async () => {
    const index = await get("/console/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    // Everything the page loads is served here: no CDN, no other origin.
    expect(html).not.toMatch(/(src|href)="https?:/);
    const js = await get(script!);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await get(style!)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    // A page of the app is index.html, so a reload or a pasted link works.
    const deep = await get(`/console/clusters/${cluster}/services/web`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
  });

  it.each([
    // the bare base redirects to the slash form
    ["/console", 308],
    // a missing asset is a 404, not index.html
    ["/console/assets/nope-0000.js", 404],
    // encoded climbing out of the folder
    ["/console/assets%2f..%2f..%2f..%2fpackage.json", 404],
    ["/console/..%5c..%5cpackage.json", 404],
  ])("%s answers %s", async (path, status) => expect((await get(path)).status).toBe(status));

  it("served unsigned, while the API beside it is not", async () => {
    expect((await get("/console/")).status).toBe(200);
    const api = await fetch(t.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters" }, body: "{}" });
    expect(api.status).toBe(400);
    expect(((await api.json()) as { __type: string }).__type).toMatch(/MissingAuthenticationTokenException/);
    const stream = await fetch(`${t.endpoint}/berth/v1/events/stream?cluster=${cluster}`);
    expect(stream.status).toBe(400);
  });

  it("an unbuilt console says so and how to build it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "berth-console-empty-"));
    const route = consoleRoute(dir);
    const server = http.createServer((req, res) => void route(req, res, new URL(req.url ?? "/", "http://x").pathname));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/console/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/console was not built.*npm run build/);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the accessibility check itself", () => {
  it("finds what it should: an image without text and an unlabelled field are serious or critical", async () => {
    await page.setContent('<html lang="en"><head><title>bad</title></head><body><main><h1>bad</h1><img src="data:,"><input type="text"></main></body></html>');
    const ids = (await seriousAxeViolations(page)).map((v) => v.id).sort();
    expect(ids).toEqual(["image-alt", "label"]);
  });
});

describe("console with SigV4 keys configured", () => {
  it("asks for keys, refuses wrong ones, then signs its calls and its live stream", async () => {
    await page.goto(`${t.endpoint}/console/`);
    const form = page.getByRole("region", { name: "This berth wants signed requests" });
    await form.waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "sign-in");

    await form.getByLabel("Access key ID").fill(AKID);
    await form.getByLabel("Secret access key").fill("not-the-secret");
    await form.getByRole("button", { name: "Sign requests" }).click();
    await page.getByRole("region", { name: "These keys were refused" }).getByText(/signature we calculated does not match/).waitFor();

    const again = page.getByRole("region", { name: "These keys were refused" });
    await again.getByLabel("Secret access key").fill(SECRET);
    await again.getByRole("button", { name: "Sign requests" }).click();
    await page.getByRole("link", { name: cluster, exact: true }).waitFor();
    await page.getByTestId("live").filter({ hasText: "Live updates on" }).waitFor({ timeout: 15_000 });
    // The keys live in the tab's session, never in the address.
    expect(page.url()).not.toContain(SECRET);
    expect(page.url()).not.toContain(AKID);
    const stored = await page.evaluate<string | null>("sessionStorage.getItem('berth.console.credentials')");
    expect(JSON.parse(stored!)).toMatchObject({ accessKeyId: AKID, region: "us-east-1" });
    expect(await page.evaluate<number>("localStorage.length")).toBe(0);
  });
});
