import { defineConfig } from "allure";

// Categories follow the outcome the suite gives each check (label "outcome"), so a
// conformance failure, an infrastructure error and a not-applicable check never mix.
const outcome = (value) => ({ labels: { outcome: `^${value}$` } });
const category = (name, value) => ({ name, matchers: outcome(value), groupByMessage: false });

export default defineConfig({
  name: "TeXML conformance",
  plugins: {
    awesome: {
      options: { singleFile: true, reportLanguage: "en", groupBy: ["epic", "feature", "story"] },
    },
  },
  categories: [
    category("Conformance failures", "failed"),
    category("Unexpected passes (remove from expectations)", "unexpected pass"),
    category("Infrastructure errors (suite or target broke)", "error"),
    category("Expected failures (in the expectations file)", "expected failure"),
    category("Not applicable (profile, capability or not supported)", "not applicable"),
  ],
});
