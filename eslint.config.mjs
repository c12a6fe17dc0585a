// Lint configuration: typescript-eslint's recommended rules on every TypeScript source.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "eqeqeq": ["error", "always", { null: "ignore" }],
      "no-console": "off",
      // Policies and tests walk arbitrary Kubernetes JSON; `any` is the honest type there.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["bin/*", "**/*.js", "**/*.mjs"],
    languageOptions: { globals: { require: "readonly", process: "readonly", module: "writable", __dirname: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
