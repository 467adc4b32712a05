// Renders a single-file Allure report in headless Chromium and saves what the README shows:
// the overview (hierarchy and environment), the categories, and one failure with its diff.
// Usage: node docs/capture.mjs REPORT_HTML OUTPUT_DIR   (needs Chromium: CHROMIUM=/usr/bin/chromium)
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [report, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
// The report scrolls inside its own container, so a tall viewport shows what a reader scrolls through.
const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
await page.goto(pathToFileURL(path.resolve(report)).href);
await page.getByTestId("nav-tab-results").waitFor();

const shot = async (name, height) => {
  await page.setViewportSize({ width: 1280, height });
  await page.screenshot({ path: path.join(outDir, name) });
  console.log(`wrote ${path.join(outDir, name)}`);
};

await shot("report-overview.png", 2000);
await page.getByTestId("nav-tab-categories").click();
for (const toggle of await page.getByTestId("tree-arrow").all()) await toggle.click();
await shot("report-categories.png", 1100);
await page.getByTestId("nav-tab-results").click();
await page.getByTestId("tab-failed").click();
await page.getByTestId("tree-leaf").first().click();
await page.getByTestId("test-result-error").first().waitFor();
await shot("report-failure.png", 1500);
await browser.close();
