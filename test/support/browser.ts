import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium (deploy/packages.txt); BERTH_CHROMIUM names another. */
export const chromiumPath = process.env.BERTH_CHROMIUM ?? "/usr/bin/chromium";

/** Where the tests write the console's screenshots (linked from the README). */
export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "console");

/**
 * Starts headless chromium through playwright-core. `--no-sandbox`: the tests run as root,
 * where chromium's sandbox refuses to start; the pages it opens are berth's own.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
}

/** One accessibility problem axe-core found. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core on the page as it stands and returns its serious and critical violations.
 * The script is evaluated through the DevTools protocol, so the console's CSP (scripts from
 * its own origin only) stays on while it is checked.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  // A string, evaluated in the page: the tests compile without DOM types.
  const found = await page.evaluate<AxeViolation[]>(
    "axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))",
  );
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Writes a full-page screenshot of `page` to docs/console/`name`.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Fails at once, saying how to fix it, when the control plane at `endpoint` has no built console. */
export async function requireBuiltConsole(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/console/`);
  if (res.status !== 200) throw new Error(`the console is not served (${res.status}: ${(await res.text()).trim()}); run npm run build first`);
}
