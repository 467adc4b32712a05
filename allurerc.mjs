import { defineConfig } from "allure";

// The report must open from disk and load nothing from the network. Allure 3's "awesome"
// plugin always adds Google Tag Manager; its "allure2" plugin leaves it out when
// ALLURE_NO_ANALYTICS is "true", set here so that every way of running Allure with this
// file (texml-conformance-report, or `npx allure generate` in a checkout) gets it.
process.env.ALLURE_NO_ANALYTICS = "true";

// Categories are read from categories.json in the results folder, which the suite writes
// (conformance/gate/allure_files.py): the allure2 plugin ignores a `categories` key here.
export default defineConfig({
  name: "TeXML conformance",
  plugins: {
    allure2: {
      options: { singleFile: true, reportLanguage: "en", reportName: "TeXML conformance" },
    },
  },
});
