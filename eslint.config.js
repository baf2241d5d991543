// Flat config: typescript-eslint's type-aware rules on our sources, plain rules on scripts.
// Import boundaries: src-workers is plain Node (no Electron, no React); src-renderer is browser code
// that talks to the engine only through the typed contract (src-workers/host/contract).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "demo/**", "build/**", "native/torch/build/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The renderer's files resolve to src-renderer/tsconfig.json (DOM, bundler resolution); its Vite
      // config is Node code, in the root tsconfig.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src-workers/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["electron", "react", "react-dom"].map((name) => ({
            name,
            message: "src-workers is plain Node: no Electron or React here.",
          })),
          patterns: [
            { group: ["react/*", "react-dom/*"], message: "src-workers is plain Node: no React here." },
          ],
        },
      ],
    },
  },
  {
    files: ["src-renderer/**"],
    ignores: ["src-renderer/vite.config.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "The renderer reaches Electron only through window.azaionBridge." },
          ],
          patterns: [
            {
              group: ["node:*"],
              message: "src-renderer runs in a browser: no Node built-ins.",
            },
            {
              regex: "^(\\.\\./)+src-workers/(?!host/contract(/|$))",
              message: "The renderer imports only the contract from src-workers (src-workers/host/contract).",
            },
            {
              group: [
                "fs",
                "path",
                "os",
                "child_process",
                "crypto",
                "http",
                "https",
                "net",
                "url",
                "stream",
                "worker_threads",
              ],
              message: "src-renderer runs in a browser: no Node built-ins.",
            },
          ],
        },
      ],
    },
  },
  {
    // Electron's main process (and its preload): Electron yes, React no; the renderer is reached over IPC.
    files: ["src-main/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["react", "react-dom"].map((name) => ({
            name,
            message: "src-main is Electron's main process: no React here (the UI is src-renderer).",
          })),
          patterns: [
            { regex: "^(\\.\\./)+src-renderer/", message: "src-main does not import the renderer." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly", URL: "readonly" },
    },
  },
);
