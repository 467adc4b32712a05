import { defineConfig } from "allure";

export default defineConfig({
  name: "TeXML conformance",
  plugins: {
    awesome: {
      options: { singleFile: true, reportLanguage: "en", groupBy: ["epic", "feature", "story"] },
    },
  },
});
