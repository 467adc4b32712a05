// Renders a single-file Allure report (the allure2 plugin's) in headless Chromium and saves what
// the README shows: the overview (summary and environment), the categories, and one conformance
// failure with its message and attachments. It also fails if the page asks for anything that is
// not file: or data:, so the screenshots are of a report that works offline.
// Usage: node docs/capture.mjs REPORT_HTML OUTPUT_DIR   (needs Chromium: CHROMIUM=/usr/bin/chromium)
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [report, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const remote = [];
const href = pathToFileURL(path.resolve(report)).href;

// Each shot on a fresh page: the report remembers which tree nodes were expanded.
const open = async (hash, height) => {
  const page = await browser.newPage({ viewport: { width: 1280, height } });
  page.on("request", (request) => {
    if (!/^(file|data):/.test(request.url())) remote.push(request.url());
  });
  await page.goto(href + hash);
  return page;
};
const shot = async (page, name) => {
  await page.waitForTimeout(500);
  // Clicks scroll the tree's own container; the shot starts at its top.
  await page.evaluate(() => document.querySelectorAll("*").forEach((element) => (element.scrollTop = 0)));
  await page.screenshot({ path: path.join(outDir, name) });
  console.log(`wrote ${path.join(outDir, name)}`);
  await page.close();
};

const overview = await open("", 1400);
await overview.getByText("Environment").first().waitFor();
await shot(overview, "report-overview.png");

const categories = await open("#categories", 1100);
await categories.getByText("Conformance failures").first().waitFor();
await shot(categories, "report-categories.png");

const failure = await open("#categories", 1400);
await failure.getByText("Conformance failures").first().click();
await failure.locator(".node__title").nth(1).click(); // the first message group under it
await failure.locator(".node__leaf").first().click();
await failure.getByText("Execution").first().waitFor();
await shot(failure, "report-failure.png");
await browser.close();
if (remote.length > 0) {
  console.error(`the report made network requests: ${remote.join(", ")}`);
  process.exit(1);
}
