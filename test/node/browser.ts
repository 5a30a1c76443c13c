// Launches the machine's Chromium (Debian's /usr/bin/chromium; CI installs it in .ci/run) through
// playwright-core; `npx playwright install` is never needed. One browser per test file.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-background-networking",
			"--disable-component-update",
			"--no-first-run",
		],
	});
}

/** A laptop screen. */
export const VIEWPORT = { width: 1280, height: 800 };

export const newContext = (browser: Browser): Promise<BrowserContext> =>
	browser.newContext({ viewport: VIEWPORT, locale: "en-GB", timezoneId: "Europe/Berlin" });

/** Runs a browser test; on failure the page is saved to test-results/<dir>/<name>.png first. */
export async function withPage(
	browser: Browser,
	dir: string,
	name: string,
	run: (page: Page) => Promise<void>,
): Promise<void> {
	const context = await newContext(browser);
	const page = await context.newPage();
	try {
		await run(page);
	} catch (error) {
		const file = join(root, "test-results", dir, `${name.replace(/[^A-Za-z0-9_-]+/g, "-")}.png`);
		mkdirSync(dirname(file), { recursive: true });
		await page.screenshot({ path: file, fullPage: true }).catch(() => {});
		throw error;
	} finally {
		await context.close();
	}
}

/** Where a committed screenshot goes (written only with UPDATE_SCREENSHOTS=1). */
export const docsImage = (name: string) => join(root, "docs", "images", name);
